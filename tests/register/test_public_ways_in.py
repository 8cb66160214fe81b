"""The register's public ways in: online request (oneself, a relative), third-party report, the paper
form (PDF) and its re-entry; who may use them, bad input, duplicates, the rate limit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import OrganisationKind, Role
from maillage.people.enums import ConsentChannel, ConsentScope
from maillage.people.models import Person
from maillage.register import texts
from maillage.register.enums import EntrySource, EntryStatus
from maillage.register.models import RegisterEntry
from maillage.register.selectors.entries import keeps_register
from maillage.register.services.public import find_person
from maillage.register.views import public as public_views
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.people.factories import PersonFactory
from tests.register.factories import RegisterEntryFactory, register_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="CCAS de Rennes", phone="02 99 00 00 00")
    organisation.communes_served.add(CommuneFactory(code="35238", name="Rennes", postal_codes=["35000", "35200"]))
    register_manager(organisation)
    return organisation


def _commune(organisation):
    return organisation.communes_served.get()


def _request(organisation, **overrides):
    data = {
        "who": "self",
        "last_name": "Lemoine",
        "first_names": "Jeanne",
        "birth_date": "12/03/1940",
        "address_line": "3 rue de la Paix",
        "postal_code": "35000",
        "commune": _commune(organisation).pk,
        "phone": "02 99 12 34 56",
        "legal_category": "aged_65",
        "isolation_factors": ["lives_alone"],
        "best_times": "Le matin",
        "contact_last_name": "Lemoine",
        "contact_first_name": "Paul",
        "contact_relationship": "fils",
        "contact_phone": "06 12 34 56 78",
        "subscribes_to_information": "on",
        "consent": "on",
    }
    data.update(overrides)
    return data


# --- Who keeps a register ---------------------------------------------------------------------------


def test_an_organisation_keeps_a_register_with_a_register_manager_and_the_right_kind(organisation):
    assert keeps_register(organisation)
    no_manager = OrganisationFactory()
    assert not keeps_register(no_manager)
    association = OrganisationFactory(kind=OrganisationKind.ASSOCIATION)
    register_manager(association)
    assert not keeps_register(association)


def test_public_pages_of_an_organisation_without_register_are_absent(client):
    other = OrganisationFactory()
    for name in ("register:public_request", "register:public_report", "register:paper_form"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404


def test_index_lists_the_keepers(client, organisation):
    OrganisationFactory(name="CCAS sans registre")
    body = client.get(reverse("register:public_index")).content.decode()
    assert "CCAS de Rennes" in body and "CCAS sans registre" not in body
    assert "au CCAS de Rennes" in body and "à CCAS" not in body  # the link's words for screen readers


# --- Online request ----------------------------------------------------------------------------------


def test_own_request_is_active_with_online_consent_and_the_text_shown(client, organisation):
    page = client.get(reverse("register:public_request", args=[organisation.pk]))
    assert "L121-6-1" in page.content.decode() and "radié" in page.content.decode()
    response = client.post(reverse("register:public_request", args=[organisation.pk]), _request(organisation))
    assert response.status_code == 302, response.context["form"].errors
    entry = RegisterEntry.objects.get()
    assert entry.status == EntryStatus.ACTIVE
    assert entry.source == EntrySource.SELF and entry.received_via == "online"
    assert entry.consent.channel == ConsentChannel.ONLINE
    assert entry.consent_wording == texts.consent_text(organisation)
    person = entry.person
    assert person.organisation == organisation and person.addresses.get().commune == _commune(organisation)
    assert person.phones.get().number == "+33299123456"
    assert person.relations.get(is_emergency_contact=True).last_name == "Lemoine"
    assert person.consents.in_force().filter(scope=ConsentScope.INFORMATION).exists()
    done = client.get(response["Location"]).content.decode()
    assert "avec votre accord" in done


def test_relatives_request_waits_for_consent(client, organisation):
    data = _request(
        organisation,
        who="third_party",
        requester_name="Paul Lemoine",
        requester_contact="0612345678",
        requester_relationship="fils",
        consent="",
    )
    response = client.post(reverse("register:public_request", args=[organisation.pk]), data)
    entry = RegisterEntry.objects.get()
    assert entry.status == EntryStatus.PENDING_CONSENT and entry.consent is None
    assert entry.requester_name == "Paul Lemoine"
    assert "demander son accord" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"consent": ""}, "consent", "accord"),
        ({"phone": "12"}, "phone", "numéro"),
        ({"birth_date": "31/02/1940"}, "birth_date", "date"),
        ({"postal_code": "75001"}, "postal_code", "Rennes"),
        ({"commune": "999999"}, "commune", ""),
        ({"last_name": ""}, "last_name", ""),
        ({"who": "third_party", "requester_name": ""}, "requester_name", "votre nom"),
        ({"legal_category": "king"}, "legal_category", ""),
    ],
)
def test_bad_input_names_the_field_in_french(client, organisation, overrides, field, words):
    response = client.post(
        reverse("register:public_request", args=[organisation.pk]), _request(organisation, **overrides)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words in errors[field][0]
    assert not RegisterEntry.objects.exists() and not Person.objects.exists()


def test_a_commune_not_served_is_refused(client, organisation):
    elsewhere = CommuneFactory(name="Brest")
    response = client.post(
        reverse("register:public_request", args=[organisation.pk]), _request(organisation, commune=elsewhere.pk)
    )
    assert "commune" in response.context["form"].errors


def test_exact_match_reuses_the_file_without_changing_it(client, organisation):
    existing = PersonFactory(
        organisation=organisation, last_name="Lemoine", first_names="Jeanne", birth_date=datetime.date(1940, 3, 12)
    )
    client.post(reverse("register:public_request", args=[organisation.pk]), _request(organisation))
    entry = RegisterEntry.objects.get()
    assert entry.person == existing and not entry.possible_duplicate
    assert entry.status == EntryStatus.ACTIVE
    assert "02 99 12 34 56" in entry.submitted_details
    assert not existing.phones.exists() and not existing.relations.exists()
    assert Person.objects.count() == 1


def test_an_uncertain_match_creates_a_pending_entry_flagged_possible_duplicate(client, organisation):
    PersonFactory(organisation=organisation, last_name="Lemoinne", first_names="Jeanne", birth_date=None)
    client.post(reverse("register:public_request", args=[organisation.pk]), _request(organisation))
    entry = RegisterEntry.objects.get()
    assert entry.possible_duplicate
    assert entry.status == EntryStatus.PENDING_CONSENT
    assert entry.consent_wording == texts.consent_text(organisation)
    assert Person.objects.count() == 2


def test_another_organisations_person_is_never_matched(organisation):
    PersonFactory(last_name="Lemoine", first_names="Jeanne", birth_date=datetime.date(1940, 3, 12))
    person, resembles = find_person(
        organisation, last_name="Lemoine", first_names="Jeanne", birth_date=datetime.date(1940, 3, 12)
    )
    assert person is None and not resembles


def test_already_registered_answers_the_same_and_writes_nothing(client, organisation):
    existing = PersonFactory(
        organisation=organisation, last_name="Lemoine", first_names="Jeanne", birth_date=datetime.date(1940, 3, 12)
    )
    RegisterEntryFactory(organisation=organisation, person=existing, active=True)
    response = client.post(reverse("register:public_request", args=[organisation.pk]), _request(organisation))
    assert response.status_code == 302
    assert RegisterEntry.objects.count() == 1


def test_sending_is_rate_limited(client, organisation, monkeypatch):
    monkeypatch.setattr(public_views, "SEND_LIMIT", 2)
    url = reverse("register:public_request", args=[organisation.pk])
    for _ in range(2):
        client.post(url, _request(organisation, last_name=""))
    response = client.post(url, _request(organisation))
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert not RegisterEntry.objects.exists()


# --- Third-party report -----------------------------------------------------------------------------


def test_third_party_report_gives_a_pending_entry(client, organisation):
    url = reverse("register:public_report", args=[organisation.pk])
    response = client.post(
        url,
        {
            "reporter_kind": "pharmacist",
            "reporter_name": "Marc Durand",
            "reporter_contact": "02 99 11 11 11",
            "last_name": "Martin",
            "first_names": "Odette",
            "address_line": "5 place Sainte-Anne",
            "commune": _commune(organisation).pk,
            "concern": "Ne vient plus chercher ses courses depuis dix jours.",
        },
    )
    assert response.status_code == 302
    entry = RegisterEntry.objects.get()
    assert entry.status == EntryStatus.PENDING_CONSENT
    assert entry.source == EntrySource.THIRD_PARTY and entry.received_via == "report"
    assert entry.legal_category == "" and "courses" in entry.concern
    assert "Marc Durand" in entry.requester_name
    assert "accord" in client.get(response["Location"]).content.decode()


def test_partner_report_needs_its_organisation(client, organisation):
    response = client.post(
        reverse("register:public_report", args=[organisation.pk]),
        {
            "reporter_kind": "partner",
            "reporter_name": "Aline",
            "reporter_contact": "0299",
            "last_name": "M",
            "first_names": "O",
            "address_line": "1 rue",
            "commune": _commune(organisation).pk,
            "concern": "Isolée",
        },
    )
    assert "reporter_organisation" in response.context["form"].errors


def test_report_consent_then_requires_the_legal_category(client, organisation):
    entry = RegisterEntryFactory(organisation=organisation, legal_category="", source=EntrySource.THIRD_PARTY)
    login_verified(client, MembershipFactory(organisation=organisation, role=Role.REGISTER_MANAGER).user)
    data = {"given_on": timezone.localdate().isoformat(), "channel": "oral", "given_by": "person", "wording": "T"}
    response = client.post(reverse("register:consent", args=[entry.pk]), data)
    assert "legal_category" in response.context["form"].errors
    client.post(reverse("register:consent", args=[entry.pk]), {**data, "legal_category": "disabled_adult"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE and entry.legal_category == "disabled_adult"


# --- The paper form and its re-entry -----------------------------------------------------------------


def test_paper_form_pdf_contains_the_consent_text(client, organisation):
    response = client.get(reverse("register:paper_form", args=[organisation.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    import io

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "L121-6-1" in text
    assert "CCAS de Rennes" in text
    assert "J'ai lu ce texte et j'accepte l'inscription" in text.replace("’", "'")


def test_paper_re_entry_signed_by_the_person_is_active_signed_paper(client, organisation):
    manager = MembershipFactory(organisation=organisation, role=Role.REGISTER_MANAGER).user
    login_verified(client, manager)
    signed = timezone.localdate() - datetime.timedelta(days=3)
    data = _request(organisation, signed_on=signed.isoformat(), requested_on=timezone.localdate().isoformat())
    response = client.post(reverse("register:paper_entry"), data)
    assert response.status_code == 302
    entry = RegisterEntry.objects.get()
    assert entry.received_via == "paper" and entry.status == EntryStatus.ACTIVE
    assert entry.consent.channel == ConsentChannel.SIGNED_PAPER and entry.consent.given_on == signed
    assert entry.consent.recorded_by == manager and entry.created_by == manager


def test_paper_re_entry_without_signature_date_names_the_field(client, organisation):
    login_verified(client, MembershipFactory(organisation=organisation, role=Role.REGISTER_MANAGER).user)
    response = client.post(
        reverse("register:paper_entry"), _request(organisation, requested_on=timezone.localdate().isoformat())
    )
    assert "signed_on" in response.context["form"].errors
