"""Irreversible actions ask to confirm (issue 11, point 6): signing an assessment and taking someone
out of the care team show a confirmation page (no JavaScript needed), and the server refuses the
action without its confirmation box. (The merge's own confirmation: tests/people/test_merge.py.)"""

import pytest
from django.urls import reverse

from maillage.casework.models import CareTeamMember
from maillage.core.enums import Role
from tests.casework.factories_assessments import AssessmentFactory, AssessmentVersionFactory
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, membership.user)
    return client, membership


@pytest.fixture
def draft(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    assessment = AssessmentFactory(person=person, created_by=membership.user)
    version = AssessmentVersionFactory(assessment=assessment, number=1, gir=4)
    return client, person, assessment, version


def test_signing_shows_a_confirmation_page_first(draft):
    client, person, assessment, version = draft
    detail = client.get(reverse("casework:assessment_detail", args=[person.pk, assessment.pk])).content.decode()
    sign_url = reverse("casework:assessment_sign", args=[person.pk, assessment.pk])
    assert f'href="{sign_url}"' in detail  # a link to the confirmation, not a button that signs
    page = client.get(sign_url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Cette action est définitive" in text and "Le GIR de la personne deviendra 4." in text
    assert "Je confirme la signature de la version 1" in text and 'name="_form_token"' in text
    version.refresh_from_db()
    assert not version.is_signed


@pytest.mark.parametrize("data", [{}, {"number": 1}, {"confirm": "", "number": 1}], ids=["nothing", "no-box", "empty"])
def test_signing_without_the_confirmation_is_refused(draft, data):
    client, person, assessment, version = draft
    response = client.post(reverse("casework:assessment_sign", args=[person.pk, assessment.pk]), data)
    assert response.status_code == 400
    assert "Cochez la case de confirmation pour signer" in response.content.decode()
    version.refresh_from_db()
    assert not version.is_signed


def test_signing_with_the_confirmation_signs_the_version_read(draft):
    client, person, assessment, version = draft
    url = reverse("casework:assessment_sign", args=[person.pk, assessment.pk])
    AssessmentVersionFactory(assessment=assessment, number=2, author=version.author)  # written meanwhile
    stale = client.post(url, {"confirm": "on", "number": 1})
    assert stale.status_code == 302
    assert not assessment.versions.filter(signed_at__isnull=False).exists()
    assert client.post(url, {"confirm": "on", "number": 2}).status_code == 302
    assert assessment.versions.get(number=2).is_signed


def test_someone_elses_draft_cannot_be_signed_even_confirmed(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    version = AssessmentVersionFactory(assessment=AssessmentFactory(person=person), number=1)
    url = reverse("casework:assessment_sign", args=[person.pk, version.assessment_id])
    response = client.post(url, {"confirm": "on", "number": 1}, follow=True)
    assert "Seul·e l&#x27;auteur·rice de cette version peut la signer." in response.content.decode()
    version.refresh_from_db()
    assert not version.is_signed


@pytest.fixture
def team(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    member = CareTeamMember.objects.create(person=person, name="Dr Lucie Faure", role="Médecin traitante")
    return client, person, member


def test_removing_a_team_member_shows_a_confirmation_page_first(team):
    client, person, member = team
    url = reverse("casework:care_team_remove", args=[person.pk, member.pk])
    listing = client.get(reverse("casework:care_team", args=[person.pk])).content.decode()
    assert f'href="{url}"' in listing
    page = client.get(url).content.decode()
    assert "<h1>Retirer Dr Lucie Faure de l&#x27;équipe</h1>" in page
    assert "Je confirme le retrait de Dr Lucie Faure" in page
    assert "Dr Lucie Faure (Médecin traitante) ne fera plus partie de l&#x27;équipe autour de" in page
    member.refresh_from_db()
    assert member.removed_at is None


def test_removing_without_the_confirmation_is_refused(team):
    client, person, member = team
    response = client.post(reverse("casework:care_team_remove", args=[person.pk, member.pk]))
    assert response.status_code == 400
    assert "Cochez la case de confirmation pour retirer ce membre" in response.content.decode()
    member.refresh_from_db()
    assert member.removed_at is None
    done = client.post(reverse("casework:care_team_remove", args=[person.pk, member.pk]), {"confirm": "on"})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.removed_at is not None
    again = client.get(reverse("casework:care_team_remove", args=[person.pk, member.pk]), follow=True)
    assert "ne fait déjà plus partie de l&#x27;équipe" in again.content.decode()


@pytest.mark.parametrize("who", ["other-organisation", "ended-membership", "volunteer", "director"])
def test_the_confirmation_pages_are_closed_to_those_who_may_not_act(client, who):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation)
    member = CareTeamMember.objects.create(person=person, name="Dr Faure", role="Médecin")
    assessment = AssessmentFactory(person=person, created_by=owner.user)
    AssessmentVersionFactory(assessment=assessment, number=1)
    role = Role.DIRECTOR if who == "director" else Role.VOLUNTEER if who == "volunteer" else Role.COORDINATOR
    organisation = None if who == "other-organisation" else owner.organisation
    kwargs = {"role": role, "is_active": who != "ended-membership"}
    if organisation is not None:
        kwargs["organisation"] = organisation
    login_verified(client, MembershipFactory(**kwargs).user)
    for url in (
        reverse("casework:care_team_remove", args=[person.pk, member.pk]),
        reverse("casework:assessment_sign", args=[person.pk, assessment.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "on", "number": 1}).status_code == 404
    member.refresh_from_db()
    assert member.removed_at is None and not assessment.versions.filter(signed_at__isnull=False).exists()
