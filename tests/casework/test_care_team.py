import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import CareTeamMember
from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from tests.casework.factories import share_with
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, membership.user)
    return client, membership


def test_adding_a_colleague_of_another_organisation_needs_the_persons_consent(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    nurse = MembershipFactory(role=Role.COORDINATOR, user__email="infirmiere@ssiad.fr", organisation__name="SSIAD Sud")
    url = reverse("casework:care_team", args=[person.pk])
    refused = client.post(url, {"email": "infirmiere@ssiad.fr", "role": "Infirmière"})
    assert "recueillez d&#x27;abord le consentement" in refused.content.decode()
    assert not CareTeamMember.objects.exists()
    # The consent is recorded naming the partner chosen from the search list (its number).
    client.post(
        reverse("people:consent_create", args=[person.pk]),
        {
            "scope": "sharing",
            "partner": nurse.organisation.pk,
            "given_by": "person",
            "channel": "oral",
            "given_on": timezone.localdate().isoformat(),
        },
    )
    response = client.post(url, {"email": "infirmiere@ssiad.fr", "role": "Infirmière", "is_referent": "on"})
    assert response.status_code == 302
    member = CareTeamMember.objects.get()
    assert member.user == nurse.user and member.organisation == nurse.organisation and member.is_referent
    assert AuditLogEntry.objects.filter(
        content_type__model="careteammember", object_pk=str(member.pk), action=AuditLogEntry.Action.CREATE
    ).exists()
    # The nurse now opens the file, and no longer once removed.
    nurse_client = client.__class__()
    login_verified(nurse_client, nurse.user)
    assert nurse_client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    client.post(reverse("casework:care_team_remove", args=[person.pk, member.pk]), {"confirm": "on"})
    assert nurse_client.get(reverse("people:detail", args=[person.pk])).status_code == 404


def test_outside_professional_without_account_by_name_and_role(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("casework:care_team", args=[person.pk])
    empty = client.post(url, {"role": "Kinésithérapeute"})
    assert "Indiquez un compte Maillage ou le nom" in empty.content.decode()
    unknown = client.post(url, {"email": "personne@nulle-part.fr", "role": "Kiné"})
    assert "Aucun compte Maillage actif" in unknown.content.decode()
    client.post(url, {"name": "Dr Lucie Faure", "role": "Médecin traitante"})
    assert CareTeamMember.objects.get().name == "Dr Lucie Faure"
    assert "Dr Lucie Faure" in client.get(url).content.decode()


def test_one_referent_at_a_time(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("casework:care_team", args=[person.pk])
    client.post(url, {"name": "A", "role": "Assistante sociale", "is_referent": "on"})
    client.post(url, {"name": "B", "role": "Coordinatrice", "is_referent": "on"})
    assert list(CareTeamMember.objects.filter(is_referent=True).values_list("name", flat=True)) == ["B"]


def test_readers_see_the_team_but_cannot_change_it(client):
    owner = MembershipFactory(role=Role.COORDINATOR)
    director = MembershipFactory(role=Role.DIRECTOR, organisation=owner.organisation)
    person = PersonFactory(organisation=owner.organisation)
    login_verified(client, director.user)
    url = reverse("casework:care_team", args=[person.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "X", "role": "Y"}).status_code == 404
    assert not CareTeamMember.objects.exists()


def test_consent_partner_must_exist(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    response = client.post(
        reverse("people:consent_create", args=[person.pk]),
        {
            "scope": "sharing",
            "partner": "999999",
            "given_by": "person",
            "channel": "oral",
            "given_on": "2026-01-02",
        },
    )
    assert "Cette structure n&#x27;existe pas ou n&#x27;est plus active" in response.content.decode()
    assert not person.consents.exists()


def test_a_contact_is_logged_from_the_file_and_shows_in_the_timeline(coordinator):
    from maillage.casework.models import Contact

    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("casework:contact_create", args=[person.pk])
    bad = client.post(url, {"kind": "visit", "duration_minutes": "900", "summary": ""})
    body = bad.content.decode()
    assert "Ce champ est obligatoire" in body and "inférieure ou égale à 600" in body
    assert not Contact.objects.exists()
    response = client.post(
        url, {"kind": "visit", "duration_minutes": "45", "summary": "Visite à domicile, frigo vide."}
    )
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert "Visite à domicile, frigo vide." in client.get(reverse("people:detail", args=[person.pk])).content.decode()


def test_dpo_of_the_persons_organisation_sees_a_care_team_members_opening(client):
    from maillage.casework.models import CareTeamMember as Member
    from maillage.core import selectors

    dpo = MembershipFactory(role=Role.DPO)
    person = PersonFactory(organisation=dpo.organisation)
    nurse = MembershipFactory(role=Role.COORDINATOR, user__email="infirmier@ssiad.fr")
    share_with(person, nurse.organisation)
    Member.objects.create(person=person, user=nurse.user, organisation=nurse.organisation, role="Infirmier")
    login_verified(client, nurse.user)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    trail = selectors.audit_entry_list(actor=dpo.user, organisation=dpo.organisation)
    assert trail.filter(actor_email="infirmier@ssiad.fr", changes_text="Fiche de la personne").exists()
