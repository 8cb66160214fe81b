"""Correcting a note: its author only, within 24 hours, the replaced text kept (docs/decisions.md)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import Note, NoteVersion
from maillage.casework.models.followup import NOTE_CORRECTION_WINDOW
from maillage.casework.services import followup as services
from maillage.core.access import person_grant
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.people.exports import person_data
from tests.casework.factories import care_team_place
from tests.casework.factories_assessments import NoteFactory
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    author = MembershipFactory(role=Role.COORDINATOR)
    organisation = author.organisation
    other_coordinator = MembershipFactory(organisation=organisation, role=Role.COORDINATOR)
    reader = MembershipFactory(organisation=organisation, role=Role.RECEPTION_AGENT)
    person = PersonFactory(organisation=organisation)
    note = NoteFactory(person=person, author=author.user, visibility="organisation", body="Mme a chuté mardi.")
    return {
        "author": author,
        "other_coordinator": other_coordinator,
        "reader": reader,
        "person": person,
        "note": note,
    }


def _edit_url(note):
    return reverse("casework:note_edit", args=[note.person_id, note.pk])


def test_author_corrects_the_note_and_the_previous_text_is_kept(world, client):
    note, author = world["note"], world["author"]
    login_verified(client, author.user)
    page = client.get(reverse("casework:note_list", args=[note.person_id])).content.decode()
    assert _edit_url(note) in page  # the author is offered the correction

    assert client.get(_edit_url(note)).status_code == 200
    response = client.post(_edit_url(note), {"body": "Mme a chuté mercredi.", "visibility": "author"})
    assert response.status_code == 302

    note.refresh_from_db()
    assert note.body == "Mme a chuté mercredi."
    assert note.visibility == "author"
    assert note.updated_at is not None
    version = NoteVersion.objects.get(note=note)
    assert (version.body, version.visibility, version.written_at) == (
        "Mme a chuté mardi.",
        "organisation",
        note.created_at,
    )
    page = client.get(reverse("casework:note_list", args=[note.person_id])).content.decode()
    assert "Modifiée le" in page
    assert "Versions précédentes (1)" in page and "Mme a chuté mardi." in page  # the author reads them


def test_readers_see_that_a_note_was_modified_not_the_replaced_text(world, client):
    note = world["note"]
    services.note_correct(
        actor=world["author"].user,
        organisation=world["author"].organisation,
        note=note,
        body="Mme a chuté mercredi.",
        visibility="organisation",
    )
    login_verified(client, world["reader"].user)
    page = client.get(reverse("casework:note_list", args=[note.person_id])).content.decode()
    assert "Mme a chuté mercredi." in page and "Modifiée le" in page
    assert "Mme a chuté mardi." not in page
    assert _edit_url(note) not in page


def test_a_second_correction_keeps_both_earlier_texts(world):
    note, author = world["note"], world["author"]
    for body in ("Deuxième texte", "Troisième texte"):
        services.note_correct(
            actor=author.user, organisation=author.organisation, note=note, body=body, visibility="organisation"
        )
    note.refresh_from_db()
    assert note.body == "Troisième texte"
    assert list(note.versions.values_list("body", flat=True)) == ["Deuxième texte", "Mme a chuté mardi."]
    second = note.versions.get(body="Deuxième texte")
    assert second.written_at > note.created_at  # dated when that text was written


def test_unchanged_note_adds_no_version(world):
    note, author = world["note"], world["author"]
    services.note_correct(
        actor=author.user, organisation=author.organisation, note=note, body=note.body, visibility=note.visibility
    )
    note.refresh_from_db()
    assert note.updated_at is None and not note.versions.exists()


@pytest.mark.parametrize("who", ["other_coordinator", "reader"])
def test_nobody_but_the_author_corrects_a_note(world, client, who):
    note, membership = world["note"], world[who]
    login_verified(client, membership.user)
    page = client.get(reverse("casework:note_list", args=[note.person_id])).content.decode()
    assert note.body in page and _edit_url(note) not in page
    assert client.get(_edit_url(note)).status_code == 404
    assert client.post(_edit_url(note), {"body": "Réécrit", "visibility": "organisation"}).status_code == 404
    with pytest.raises(ApplicationError):
        services.note_correct(
            actor=membership.user, organisation=membership.organisation, note=note, body="X", visibility="author"
        )
    note.refresh_from_db()
    assert note.body == "Mme a chuté mardi." and not note.versions.exists()


def test_no_correction_after_24_hours(world, client):
    note, author = world["note"], world["author"]
    Note.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - NOTE_CORRECTION_WINDOW - datetime.timedelta(minutes=1)
    )
    note.refresh_from_db()
    login_verified(client, author.user)
    page = client.get(reverse("casework:note_list", args=[note.person_id])).content.decode()
    assert note.body in page and _edit_url(note) not in page
    assert client.post(_edit_url(note), {"body": "Trop tard", "visibility": "organisation"}).status_code == 404
    with pytest.raises(ApplicationError, match="24 heures"):
        services.note_correct(
            actor=author.user, organisation=author.organisation, note=note, body="X", visibility="organisation"
        )
    just_in_time = note.created_at + NOTE_CORRECTION_WINDOW
    assert services.note_correction_allowed(author.user, author.organisation, note, now=just_in_time)


def test_author_who_left_the_care_team_no_longer_corrects(client):
    partner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory()
    member = care_team_place(person, partner)
    note = NoteFactory(person=person, organisation=partner.organisation, author=partner.user, visibility="care_team")
    assert services.note_correction_allowed(partner.user, partner.organisation, note)
    member.removed_at = timezone.now()
    member.save()
    assert not services.note_correction_allowed(partner.user, partner.organisation, note)
    login_verified(client, partner.user)
    assert client.get(_edit_url(note)).status_code == 404


def test_right_of_access_export_holds_the_replaced_texts(world):
    note, author = world["note"], world["author"]
    services.note_correct(
        actor=author.user, organisation=author.organisation, note=note, body="Corrigé", visibility="organisation"
    )
    grant = person_grant(author.user, author.organisation, world["person"])
    section = next(s for s in person_data(grant)["sections"] if s["titre"] == "Notes de suivi")
    (row,) = section["lignes"]
    assert row["Note"] == "Corrigé"
    assert row["Modifiée le"] is not None
    assert "Mme a chuté mardi." in row["Versions précédentes"]
