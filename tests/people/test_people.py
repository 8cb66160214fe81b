import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import BreakGlassAccess, CareTeamMember
from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from maillage.people.models import Consent, Person, PersonAddress, PersonPhone, Relation
from tests.casework.factories import share_with
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    login_verified(client, membership.user)
    return client, membership


@pytest.fixture
def dijon():
    return CommuneFactory(code="21231", name="Dijon", postal_codes=["21000"])


def _create(client, **fields):
    data = {
        "last_name": "Lefèvre",
        "birth_name": "",
        "first_names": "Éloïse",
        "sex": "F",
        "birth_date": "1941-03-12",
        "lives_alone": "true",
        "languages": "",
        "address_line": "",
        "postal_code": "",
        "commune": "",
        "housing": "unknown",
        "phone": "",
        "email": "",
    }
    data.update(fields)
    return client.post(reverse("people:create"), data)


def test_reception_agent_creates_a_person_with_address_and_phone(agent, dijon):
    client, membership = agent
    response = _create(
        client, address_line="3 rue des Forges", commune="21231", postal_code="21000", phone="06 12 34 56 78"
    )
    person = Person.objects.get()
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.organisation == membership.organisation
    assert person.lives_alone is True
    assert person.search_names == "lefevre eloise"
    assert PersonAddress.objects.get(person=person).commune == dijon
    assert PersonPhone.objects.get(person=person).number == "+33612345678"
    created = AuditLogEntry.objects.get(
        content_type__model="person", object_pk=str(person.pk), action=AuditLogEntry.Action.CREATE
    )
    assert created.actor == membership.user
    assert "Éloïse" not in created.object_repr and "Éloïse" not in str(created.changes)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"birth_date": "2999-01-01"}, "ne peut pas être dans le futur"),
        ({"birth_date": "1886-01-01"}, "plus de 125 ans"),
        ({"phone": "06 12"}, "n&#x27;est pas un numéro de téléphone valide"),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide"),
        ({"address_line": "1 rue X", "commune": "99999"}, "La commune « 99999 » n&#x27;existe pas"),
        ({"address_line": "1 rue X", "commune": ""}, "Indiquez la commune de l&#x27;adresse"),
        ({"last_name": ""}, "Ce champ est obligatoire"),
    ],
    ids=["futur", "140-ans", "telephone", "courriel", "commune-inconnue", "commune-manquante", "nom-manquant"],
)
def test_bad_input_names_the_field_and_saves_nothing(agent, dijon, fields, message):
    client, _ = agent
    response = _create(client, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.exists()


def test_postal_code_must_match_the_commune(agent, dijon):
    client, _ = agent
    response = _create(client, address_line="1 rue X", commune="21231", postal_code="75001")
    assert "ne correspond pas à Dijon" in response.content.decode()
    assert not Person.objects.exists()


def test_duplicate_warning_then_confirmed_creation(agent):
    client, membership = agent
    PersonFactory(
        organisation=membership.organisation,
        last_name="Lefebvre",
        first_names="Eloise",
        birth_date=datetime.date(1941, 3, 12),
    )
    response = _create(client)
    body = response.content.decode()
    assert "Cette personne a peut-être déjà une fiche" in body
    assert Person.objects.count() == 1
    response = _create(client, not_a_duplicate="on")
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_duplicates_of_another_organisation_are_not_revealed(agent):
    client, _ = agent
    PersonFactory(last_name="Lefèvre", first_names="Éloïse", birth_date=datetime.date(1941, 3, 12))
    response = _create(client)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        "lefevre",
        "LEFÈVRE",
        "lefe",
        "éloïse lefèvre",
        "martin",
        "lefevre-martin",
        "lefebre",
        "12/03/1941",
        "06 12 34",
        "1941 eloise",
        "dijon",
    ],
    ids=[
        "sans-accent",
        "majuscules",
        "prefixe",
        "prenom-nom",
        "nom-de-naissance",
        "trait-d-union",
        "faute",
        "date",
        "telephone",
        "annee",
        "commune",
    ],
)
def test_search_finds_a_person_every_way_people_type(agent, dijon, query):
    client, membership = agent
    person = PersonFactory(
        organisation=membership.organisation,
        last_name="Lefèvre-Martin",
        birth_name="Martin",
        first_names="Éloïse",
        birth_date=datetime.date(1941, 3, 12),
    )
    PersonFactory(
        organisation=membership.organisation,
        last_name="Bernard",
        first_names="Paul",
        birth_date=datetime.date(1950, 1, 1),
    )
    PersonAddressFactory(person=person, commune=dijon)
    PersonPhoneFactory(person=person, number="+33612345678")
    body = client.get(reverse("people:list"), {"q": query}).content.decode()
    assert "Éloïse LEFÈVRE-MARTIN" in body
    assert "BERNARD" not in body


def test_search_never_shows_another_organisations_persons(agent):
    client, _ = agent
    PersonFactory(last_name="Secret", first_names="Personne")
    body = client.get(reverse("people:list"), {"q": "secret"}).content.decode()
    assert "SECRET" not in body


def test_search_with_an_impossible_date_says_so(agent):
    client, _ = agent
    body = client.get(reverse("people:list"), {"q": "31/02/1941"}).content.decode()
    assert "« 31/02/1941 » n'existe pas" in body


def test_search_fragment_is_the_page_fragment(agent):
    client, membership = agent
    PersonFactory(organisation=membership.organisation, last_name="Durand")
    full = client.get(reverse("people:list"), {"q": "durand"}).content.decode()
    fragment = client.get(reverse("people:list"), {"q": "durand"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert fragment.strip()[:200] in full


def test_opening_a_file_is_logged(agent):
    client, membership = agent
    person = PersonFactory(organisation=membership.organisation)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    entry = AuditLogEntry.objects.get(changes_text="Fiche de la personne")
    assert entry.actor == membership.user and entry.object_pk == str(person.pk)
    assert entry.organisation == membership.organisation


def test_colleague_of_another_organisation_sees_nothing_until_added_to_the_care_team(client):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation)
    outsider = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, outsider.user)
    url = reverse("people:detail", args=[person.pk])
    assert client.get(url).status_code == 404
    share_with(person, outsider.organisation)
    CareTeamMember.objects.create(
        person=person, user=outsider.user, organisation=outsider.organisation, role="Infirmière"
    )
    assert client.get(url).status_code == 200
    # Seeing is not changing: the record stays its organisation's.
    assert client.get(reverse("people:edit", args=[person.pk])).status_code == 404


def test_break_glass_opens_a_file_for_a_few_hours_with_a_reason_seen_by_the_dpo(client):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation, last_name="Urgence", birth_date=datetime.date(1930, 5, 6))
    outsider = MembershipFactory(role=Role.COORDINATOR)
    dpo = MembershipFactory(role=Role.DPO, organisation=outsider.organisation)
    login_verified(client, outsider.user)
    url = reverse("people:break_glass")
    found = client.get(url, {"last_name": "urgence", "birth_date": "1930-05-06"}).content.decode()
    assert "suivi·e par" in found and owner.organisation.name in found
    short = client.post(url + "?last_name=urgence&birth_date=1930-05-06", {"person": person.pk, "reason": "urgent"})
    assert "20 caractères au moins" in short.content.decode()
    response = client.post(
        url + "?last_name=urgence&birth_date=1930-05-06",
        {"person": person.pk, "reason": "Chute signalée par le voisin, la famille est injoignable."},
    )
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    grant = BreakGlassAccess.objects.get()
    assert grant.expires_at - grant.granted_at == BreakGlassAccess.DURATION
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    flagged = AuditLogEntry.objects.filter(organisation=outsider.organisation).exclude(reason="")
    assert flagged.count() >= 2
    # The DPO of the organisation sees it on the dashboard and in the trail.
    client.force_login(dpo.user, backend="maillage.core.auth_backends.EmailBackend")
    login_verified(client, dpo.user)
    assert "Chute signalée" in client.get(reverse("core:audit_log")).content.decode()
    # Four hours later it is over.
    BreakGlassAccess.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    login_verified(client, outsider.user)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 404


def test_volunteer_and_partner_cannot_search_persons(client):
    for role in (Role.VOLUNTEER, Role.PARTNER, Role.ADMIN):
        membership = MembershipFactory(role=role)
        login_verified(client, membership.user)
        assert client.get(reverse("people:list")).status_code == 404


def test_relations_and_consents(agent):
    client, membership = agent
    person = PersonFactory(organisation=membership.organisation)
    client.post(
        reverse("people:relation_create", args=[person.pk]),
        {
            "kind": "informal_carer",
            "first_name": "Luc",
            "last_name": "Petit",
            "relationship": "fils",
            "phone": "03 80 12 34 56",
            "is_emergency_contact": "on",
        },
    )
    relation = Relation.objects.get()
    assert relation.phone == "+33380123456" and relation.is_emergency_contact
    today = timezone.localdate().isoformat()
    client.post(
        reverse("people:consent_create", args=[person.pk]),
        {"scope": "register", "given_by": "person", "channel": "oral", "given_on": today},
    )
    again = client.post(
        reverse("people:consent_create", args=[person.pk]),
        {"scope": "register", "given_by": "person", "channel": "oral", "given_on": today},
    )
    assert "déjà en vigueur" in again.content.decode()
    sharing = client.post(
        reverse("people:consent_create", args=[person.pk]),
        {"scope": "sharing", "given_by": "person", "channel": "oral", "given_on": today},
    )
    assert "nomme le partenaire" in sharing.content.decode()
    consent = Consent.objects.get()
    client.post(reverse("people:consent_withdraw", args=[person.pk, consent.pk]), {"reason": "Ne souhaite plus"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_right_of_access_export_json_and_pdf(client, dijon):
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=coordinator.organisation, last_name="Export", first_names="Anne")
    PersonAddressFactory(person=person, commune=dijon, line="8 place Darcy")
    login_verified(client, coordinator.user)
    data = json.loads(client.get(reverse("people:export", args=[person.pk, "json"])).content)
    titles = [s["titre"] for s in data["sections"]]
    assert titles[:2] == ["Identité", "Adresses"]
    # Casework adds what it holds: the export follows the data model.
    assert {
        "Demandes",
        "Contacts",
        "Évaluations",
        "Plans d'aide et projets de vie",
        "Notes de suivi",
        "Documents",
    } <= set(titles)
    address = data["sections"][1]["lignes"][0]["Adresse"]
    assert address.startswith("8 place Darcy, ") and address.endswith(" Dijon")
    pdf = client.get(reverse("people:export", args=[person.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("people:export", args=[person.pk, "xml"])).status_code == 404
    assert AuditLogEntry.objects.filter(changes_text__startswith="Export du droit d'accès").count() == 2


def test_right_of_access_includes_casework(client):
    from tests.casework.factories import RequestFactory

    coordinator = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=coordinator.organisation)
    RequestFactory(person=person, organisation=coordinator.organisation, notes="Demande de portage de repas")
    login_verified(client, coordinator.user)
    data = json.loads(client.get(reverse("people:export", args=[person.pk, "json"])).content)
    requests = next(s for s in data["sections"] if s["titre"] == "Demandes")["lignes"]
    assert requests[0]["Remarques"] == "Demande de portage de repas"
