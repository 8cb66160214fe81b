"""Merging two files of the same person (issue 10): who merges, the comparison, every related row
moved (found from the foreign keys, so a later model is covered), conflicts resolved, the
duplicate kept as a hidden tombstone, the undo, and the refusal of a stale or repeated merge."""

import datetime
import threading
import time

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import CareTeamMember, Note
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.people import selectors, services
from maillage.people.enums import ConsentScope
from maillage.people.models import Consent, Person, PersonAddress
from tests.casework.factories import CareTeamMemberFactory, ContactFactory, RequestFactory
from tests.casework.factories_assessments import AssessmentFactory, CarePlanFactory, NoteFactory
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory, UserFactory
from tests.people.factories import (
    ConsentFactory,
    PersonAddressFactory,
    PersonFactory,
    PersonPhoneFactory,
    RelationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, membership.user)
    return client, membership


def _pair(organisation, **duplicate_fields):
    kept = PersonFactory(organisation=organisation, last_name="Moreau", first_names="Jeanne", birth_date=None)
    fields = {"last_name": "Moreau", "first_names": "Jeanne", "birth_date": datetime.date(1938, 2, 2)}
    fields.update(duplicate_fields)
    duplicate = PersonFactory(organisation=organisation, **fields)
    return kept, duplicate


def _merge(membership, kept, duplicate, **kwargs):
    return services.person_merge(
        actor=membership.user, organisation=membership.organisation, kept=kept, duplicate=duplicate, **kwargs
    )


def test_every_model_linking_to_a_person_is_moved_by_the_merge():
    """Introspection of every installed model: a foreign key to a person added by any app later
    is in the merge's list without anyone having to write it there."""
    linking = {
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Person and model is not Person
    }
    assert linking == set(services.merge_relations())
    assert (apps.get_model("people", "Relation"), "related_person") in linking


def test_merge_moves_every_row_and_leaves_nothing_on_the_duplicate(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    other = PersonFactory(organisation=membership.organisation)
    PersonPhoneFactory(person=duplicate)
    PersonAddressFactory(person=duplicate)
    RelationFactory(person=duplicate)
    pointing = RelationFactory(person=other, related_person=duplicate)
    ConsentFactory(person=duplicate)
    CareTeamMemberFactory(person=duplicate)
    RequestFactory(person=duplicate, organisation=membership.organisation)
    ContactFactory(person=duplicate)
    AssessmentFactory(person=duplicate)
    CarePlanFactory(person=duplicate)
    NoteFactory(person=duplicate)
    _merge(membership, kept, duplicate)
    for model, field_name in services.merge_relations():
        assert not model._base_manager.filter(**{field_name: duplicate}).exists(), model._meta.label
    pointing.refresh_from_db()
    assert pointing.related_person_id == kept.pk
    assert kept.phones.count() == 1 and kept.addresses.count() == 1 and kept.notes.count() == 1
    # Each move is an audit line (row-by-row save), about the note's new file.
    note = Note.objects.get(person=kept)
    assert AuditLogEntry.objects.filter(object_pk=str(note.pk), action=AuditLogEntry.Action.UPDATE).exists()


def test_merge_of_persons_sharing_a_care_team_member_keeps_one_membership_and_the_referent_flag(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    nurse = UserFactory()
    CareTeamMemberFactory(person=kept, user=nurse, is_referent=False)
    CareTeamMemberFactory(person=duplicate, user=nurse, is_referent=True)
    _merge(membership, kept, duplicate)
    active = CareTeamMember.objects.active().filter(person=kept, user=nurse)
    assert active.count() == 1
    assert active.get().is_referent
    assert CareTeamMember.objects.filter(person=kept, user=nurse).count() == 2  # the history stays


def test_merge_keeps_the_older_consent_in_force_and_withdraws_the_other(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    newer = ConsentFactory(person=kept, scope=ConsentScope.PROCESSING, given_on=datetime.date(2026, 5, 1))
    older = ConsentFactory(person=duplicate, scope=ConsentScope.PROCESSING, given_on=datetime.date(2025, 1, 1))
    _merge(membership, kept, duplicate)
    in_force = Consent.objects.in_force().filter(person=kept, scope=ConsentScope.PROCESSING)
    assert list(in_force) == [older]
    newer.refresh_from_db()
    assert newer.withdrawn_at is not None and "fusion" in newer.withdrawn_reason


def test_merge_keeps_the_kept_current_address_current(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    commune = CommuneFactory()
    mine = PersonAddressFactory(person=kept, commune=commune, is_current=True)
    theirs = PersonAddressFactory(person=duplicate, commune=commune, is_current=True)
    _merge(membership, kept, duplicate)
    assert list(PersonAddress.objects.filter(person=kept, is_current=True)) == [mine]
    theirs.refresh_from_db()
    assert theirs.person_id == kept.pk and not theirs.is_current


def test_merged_file_is_hidden_from_lists_search_duplicates_and_its_page(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    _merge(membership, kept, duplicate)
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert Person.all_objects.get(pk=duplicate.pk).merged_into_id == kept.pk
    found, _ = selectors.person_search_list(
        actor=membership.user, organisation=membership.organisation, query="moreau"
    )
    assert [p.pk for p in found] == [kept.pk]
    data = {"last_name": "Moreau", "first_names": "Jeanne", "birth_date": datetime.date(1938, 2, 2)}
    assert [
        p.pk
        for p in selectors.possible_duplicates(actor=membership.user, organisation=membership.organisation, data=data)
    ] == [kept.pk]
    assert client.get(reverse("people:detail", args=[duplicate.pk])).status_code == 404
    assert (
        client.get(reverse("people:list"), {"q": "moreau"}).content.decode().count(f"/personnes/{duplicate.pk}/") == 0
    )


def test_reception_agent_cannot_merge(client):
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    login_verified(client, membership.user)
    kept, duplicate = _pair(membership.organisation)
    assert client.get(reverse("people:merge", args=[kept.pk])).status_code == 404
    response = client.post(reverse("people:merge_compare", args=[kept.pk, duplicate.pk]), {"confirm": "on"})
    assert response.status_code == 404
    with pytest.raises(ApplicationError):
        _merge(membership, kept, duplicate)
    assert Person.objects.filter(pk=duplicate.pk).exists()


def test_coordinator_cannot_compare_with_a_file_of_another_organisation(coordinator):
    client, membership = coordinator
    kept = PersonFactory(organisation=membership.organisation)
    foreign = PersonFactory()
    assert client.get(reverse("people:merge_compare", args=[kept.pk, foreign.pk])).status_code == 404
    response = client.post(reverse("people:merge_compare", args=[kept.pk, foreign.pk]), {"confirm": "on"})
    assert response.status_code == 404
    assert Person.objects.filter(pk=foreign.pk).exists()


def test_merge_page_lists_look_alikes_and_searches_by_name_without_a_number_box(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    other = PersonFactory(organisation=membership.organisation, last_name="Zidane", first_names="Lucie")
    page = client.get(reverse("people:merge", args=[kept.pk])).content.decode()
    assert reverse("people:merge_compare", args=[kept.pk, duplicate.pk]) in page
    assert 'name="duplicate"' not in page
    searched = client.get(reverse("people:merge", args=[kept.pk]), {"q": "zidane"}).content.decode()
    assert reverse("people:merge_compare", args=[kept.pk, other.pk]) in searched


def test_comparison_marks_differences_in_words_and_the_chosen_values_are_kept(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation, birth_place="Beaune", languages="français")
    kept.birth_place = "Dijon"
    kept.save()
    NoteFactory(person=duplicate)
    url = reverse("people:merge_compare", args=[kept.pk, duplicate.pk])
    page = client.get(url).content.decode()
    assert "diffère" in page and "Beaune" in page and "Dijon" in page
    assert "Notes de suivi" in page  # the counts of the file's content
    response = client.post(
        url,
        {
            "kept_version": kept.version,
            "duplicate_version": duplicate.version,
            "choice_birth_place": "duplicate",
            "choice_birth_date": "duplicate",
            "choice_languages": "kept",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.birth_place == "Beaune" and kept.birth_date == datetime.date(1938, 2, 2) and kept.languages == ""


def test_merge_without_confirmation_is_refused_with_a_french_message(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    response = client.post(reverse("people:merge_compare", args=[kept.pk, duplicate.pk]), {})
    assert response.status_code == 200
    assert "Cochez la case de confirmation" in response.content.decode()
    assert Person.objects.filter(pk=duplicate.pk).exists()


def test_merge_of_a_file_changed_since_the_comparison_is_refused(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    url = reverse("people:merge_compare", args=[kept.pk, duplicate.pk])
    versions = {"kept_version": kept.version, "duplicate_version": duplicate.version}
    services.person_update(
        actor=membership.user, organisation=membership.organisation, person=duplicate, data={"birth_place": "Autun"}
    )
    choices = {"choice_birth_date": "duplicate", "choice_birth_place": "kept"}
    response = client.post(url, {**versions, **choices, "confirm": "on"})
    assert response.status_code == 200
    assert "modifiée entre-temps" in response.content.decode()
    assert Person.objects.filter(pk=duplicate.pk).exists()


def test_opposite_merge_after_a_merge_is_refused_with_a_clear_message(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    _merge(membership, kept, duplicate)
    with pytest.raises(ApplicationError, match="déjà été fusionnée dans la fiche"):
        _merge(membership, duplicate, kept)
    response = client.post(
        reverse("people:merge_compare", args=[kept.pk, duplicate.pk]),
        {"kept_version": 1, "duplicate_version": 1, "confirm": "on"},
    )
    assert response.status_code == 302  # to the kept file, with the message
    assert Person.all_objects.get(pk=duplicate.pk).merged_into_id == kept.pk


def test_undo_restores_both_files_as_they_were(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation, birth_place="Beaune")
    nurse = UserFactory()
    CareTeamMemberFactory(person=kept, user=nurse, is_referent=False)
    theirs_member = CareTeamMemberFactory(person=duplicate, user=nurse, is_referent=True)
    consent = ConsentFactory(person=duplicate, given_on=datetime.date(2026, 1, 1))
    ConsentFactory(person=kept, given_on=datetime.date(2025, 1, 1))
    commune = CommuneFactory()
    PersonAddressFactory(person=kept, commune=commune, is_current=True)
    their_address = PersonAddressFactory(person=duplicate, commune=commune, is_current=True)
    note = NoteFactory(person=duplicate)
    pointing = RelationFactory(person=PersonFactory(organisation=membership.organisation), related_person=duplicate)
    _merge(membership, kept, duplicate, choices={"birth_place": "duplicate"})
    note_after_merge = NoteFactory(person=kept)

    page = client.get(reverse("people:merge", args=[kept.pk])).content.decode()
    assert "Annuler la fusion" in page
    response = client.post(reverse("people:merge_undo", args=[kept.pk, duplicate.pk]))
    assert response["Location"] == reverse("people:detail", args=[duplicate.pk])

    restored = Person.objects.get(pk=duplicate.pk)
    assert restored.merged_into_id is None and restored.merge_record == {}
    kept.refresh_from_db()
    assert kept.birth_place == "" and kept.birth_date is None
    for row in (note, consent, their_address, theirs_member):
        row.refresh_from_db()
        assert row.person_id == duplicate.pk
    assert consent.withdrawn_at is None and their_address.is_current and theirs_member.removed_at is None
    assert not CareTeamMember.objects.get(person=kept, user=nurse).is_referent
    pointing.refresh_from_db()
    assert pointing.related_person_id == duplicate.pk
    note_after_merge.refresh_from_db()
    assert note_after_merge.person_id == kept.pk  # written on the kept file after the merge: stays


def test_undo_after_the_delay_is_refused(coordinator, settings):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    _merge(membership, kept, duplicate)
    Person.all_objects.filter(pk=duplicate.pk).update(merged_at=timezone.now() - datetime.timedelta(days=8))
    assert client.post(reverse("people:merge_undo", args=[kept.pk, duplicate.pk])).status_code == 404
    with pytest.raises(ApplicationError, match="ne s'annule que pendant 7 jours"):
        services.person_merge_undo(
            actor=membership.user,
            organisation=membership.organisation,
            tombstone=Person.all_objects.get(pk=duplicate.pk),
        )


def test_reception_agent_cannot_undo_a_merge(client):
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    agent = MembershipFactory(role=Role.RECEPTION_AGENT, organisation=coordinator.organisation)
    kept, duplicate = _pair(coordinator.organisation)
    _merge(coordinator, kept, duplicate)
    login_verified(client, agent.user)
    assert client.post(reverse("people:merge_undo", args=[kept.pk, duplicate.pk])).status_code == 404
    assert Person.all_objects.get(pk=duplicate.pk).merged_into_id == kept.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections at once (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_opposite_merges_at_once_one_succeeds_the_other_gets_a_clear_message(monkeypatch):
    membership = MembershipFactory(role=Role.COORDINATOR)
    first, second = _pair(membership.organisation)
    original = services._resolve_conflicts

    def slow(*args):
        time.sleep(0.5)  # the other merge arrives while this one holds the locks
        return original(*args)

    monkeypatch.setattr(services, "_resolve_conflicts", slow)
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def merge(kept, duplicate):
        try:
            barrier.wait()
            _merge(membership, Person.objects.get(pk=kept.pk), Person.objects.get(pk=duplicate.pk))
            outcomes.append("merged")
        except ApplicationError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and "merged" in outcomes, outcomes
    refused = next(o for o in outcomes if o != "merged")
    assert "a déjà été fusionnée dans la fiche" in refused
    assert Person.objects.filter(pk__in=[first.pk, second.pk]).count() == 1


def test_retention_erases_a_tombstone_once_the_merge_can_no_longer_be_undone(coordinator):
    from maillage.core.retention import apply_retention

    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    NoteFactory(person=duplicate)
    _merge(membership, kept, duplicate)
    apply_retention()
    assert Person.all_objects.filter(pk=duplicate.pk).exists()  # still restorable
    apply_retention(now=timezone.now() + datetime.timedelta(days=8))
    assert not Person.all_objects.filter(pk=duplicate.pk).exists()
    assert kept.notes.count() == 1  # what moved stays with the kept file


@pytest.mark.django_db(transaction=True)
def test_a_model_added_later_and_unknown_to_the_merge_code_is_moved_and_moved_back():
    """A table created for this test only, with a hidden foreign key to a person: the merge moves
    its row and the undo brings it back, though no merge code names it."""
    from django.db import models

    class HomeVisit(models.Model):
        person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "people"
            db_table = "people_test_merge_home_visit"

        def __str__(self):
            return f"Visite n° {self.pk}"

    try:
        with connection.schema_editor() as editor:
            editor.create_model(HomeVisit)
        membership = MembershipFactory(role=Role.COORDINATOR)
        kept, duplicate = _pair(membership.organisation)
        visit = HomeVisit.objects.create(person=duplicate)
        assert (HomeVisit, "person") in services.merge_relations()
        _merge(membership, kept, duplicate)
        visit.refresh_from_db()
        assert visit.person_id == kept.pk
        services.person_merge_undo(
            actor=membership.user,
            organisation=membership.organisation,
            tombstone=Person.all_objects.get(pk=duplicate.pk),
        )
        visit.refresh_from_db()
        assert visit.person_id == duplicate.pk
    finally:
        HomeVisit.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.delete_model(HomeVisit)
        del apps.all_models["people"]["homevisit"]
        apps.clear_cache()


def test_comparison_of_a_file_merged_meanwhile_says_so_instead_of_a_404(coordinator):
    client, membership = coordinator
    kept, duplicate = _pair(membership.organisation)
    _merge(membership, kept, duplicate)  # a colleague merged them the other way round first
    response = client.post(
        reverse("people:merge_compare", args=[duplicate.pk, kept.pk]),
        {"kept_version": 1, "duplicate_version": 1, "confirm": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("people:detail", args=[kept.pk])
    assert f"La fiche n° {duplicate.pk} a déjà été fusionnée dans la fiche n° {kept.pk}" in response.content.decode()


def test_a_late_aggir_signature_does_not_undo_an_identity_edit():
    """person_update writes only the fields it is given, onto the row as it is now."""
    membership = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation, birth_place="Dijon")
    stale_copy = Person.objects.get(pk=person.pk)
    kwargs = {"actor": membership.user, "organisation": membership.organisation}
    services.person_update(**kwargs, person=person, data={"birth_place": "Beaune"}, version=1)
    services.person_update(**kwargs, person=stale_copy, data={"gir": 4})
    person.refresh_from_db()
    assert person.birth_place == "Beaune" and person.gir == 4
