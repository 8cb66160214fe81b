"""The register for its manager: list, entry page and actions, registration, yearly confirmation;
who may not see it (attack tests first)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from maillage.people.enums import ConsentScope, RelationKind
from maillage.register.enums import EntryStatus
from maillage.register.models import RegisterEntry
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory, RelationFactory
from tests.register.factories import RegisterEntryFactory, register_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="CCAS de Rennes")


@pytest.fixture
def manager(client, organisation):
    membership = register_manager(organisation)
    login_verified(client, membership.user)
    return membership.user


def _urls(entry):
    return [
        reverse("register:list"),
        reverse("register:to_confirm"),
        reverse("register:create"),
        reverse("register:paper_entry"),
        reverse("register:detail", args=[entry.pk]),
        reverse("register:edit", args=[entry.pk]),
        reverse("register:consent", args=[entry.pk]),
        reverse("register:suspend", args=[entry.pk]),
        reverse("register:remove", args=[entry.pk]),
        reverse("register:confirm", args=[entry.pk]),
    ]


# --- Attacks first ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.RECEPTION_AGENT, Role.COORDINATOR, Role.DIRECTOR, Role.DPO, Role.VOLUNTEER, Role.ADMIN, Role.PARTNER]
)
def test_other_roles_of_the_same_organisation_cannot_see_the_register(client, organisation, role):
    entry = RegisterEntryFactory(organisation=organisation, person__last_name="Secretregistre")
    login_verified(client, MembershipFactory(organisation=organisation, role=role).user)
    for url in _urls(entry):
        response = client.get(url)
        assert response.status_code == 404, (url, role)
    response = client.post(reverse("register:resume", args=[entry.pk]))
    assert response.status_code == 404


def test_another_organisations_register_manager_cannot_open_an_entry(client, organisation):
    entry = RegisterEntryFactory(organisation=organisation, active=True)
    other = register_manager(OrganisationFactory())
    login_verified(client, other.user)
    for url in _urls(entry)[4:]:
        assert client.get(url).status_code == 404, url
    response = client.get(reverse("register:list"))
    assert entry.person.full_name not in response.content.decode()


def test_an_ended_membership_sees_nothing(client, organisation):
    entry = RegisterEntryFactory(organisation=organisation)
    membership = register_manager(organisation)
    membership.is_active = False
    membership.save()
    login_verified(client, membership.user)
    assert client.get(reverse("register:detail", args=[entry.pk])).status_code == 404
    assert client.get(reverse("register:list")).status_code == 404


def test_without_second_factor_the_register_is_closed(client, organisation):
    entry = RegisterEntryFactory(organisation=organisation)
    membership = register_manager(organisation)
    client.force_login(membership.user, backend="maillage.core.auth_backends.EmailBackend")
    response = client.get(reverse("register:detail", args=[entry.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_setup"))


def test_person_file_shows_the_register_to_its_manager_only(client, organisation):
    entry = RegisterEntryFactory(organisation=organisation, active=True)
    url = reverse("people:detail", args=[entry.person.pk])
    for role in (Role.RECEPTION_AGENT, Role.COORDINATOR, Role.DIRECTOR, Role.DPO):
        login_verified(client, MembershipFactory(organisation=organisation, role=role).user)
        body = client.get(url).content.decode()
        assert "Registre des personnes vulnérables" not in body, role
        assert reverse("register:detail", args=[entry.pk]) not in body
    login_verified(client, register_manager(organisation).user)
    body = client.get(url).content.decode()
    assert "Registre des personnes vulnérables" in body
    assert reverse("register:detail", args=[entry.pk]) in body


def test_grant_register_entries_only_for_the_register_manager(rf, organisation):
    from maillage.core import access

    entry = RegisterEntryFactory(organisation=organisation)
    for role in Role:
        user = MembershipFactory(organisation=organisation, role=role).user
        grant = access.person_grant(user, organisation, entry.person)
        entries = list(grant.register_entries()) if grant else []
        assert entries == ([entry] if role == Role.REGISTER_MANAGER else []), role


def test_menu_has_registre_for_the_register_manager_only(client, organisation):
    login_verified(client, MembershipFactory(organisation=organisation, role=Role.COORDINATOR).user)
    menu_link = f'href="{reverse("register:list")}"'
    assert menu_link not in client.get(reverse("core:dashboard")).content.decode()
    login_verified(client, register_manager(organisation).user)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert menu_link in body
    assert "en attente du consentement" in body


# --- The list --------------------------------------------------------------------------------------


def test_list_pending_first_then_active_suspended_removed_with_counts(client, manager, organisation):
    removed = RegisterEntryFactory(organisation=organisation, removed=True, person__last_name="Aaradie")
    active = RegisterEntryFactory(organisation=organisation, active=True, person__last_name="Bbactive")
    suspended = RegisterEntryFactory(organisation=organisation, suspended=True, person__last_name="Ccsuspendue")
    pending = RegisterEntryFactory(organisation=organisation, person__last_name="Ddattente")
    RegisterEntryFactory(person__last_name="Zzailleurs")  # another organisation's
    response = client.get(reverse("register:list"))
    body = response.content.decode()
    order = [body.index(e.person.full_name) for e in (pending, active, suspended, removed)]
    assert order == sorted(order)
    assert "ZZAILLEURS" not in body.upper().replace(pending.person.full_name.upper(), "")
    counts = response.context["counts"]
    assert (counts["pending_consent"], counts["active"], counts["suspended"], counts["removed"]) == (1, 1, 1, 1)
    assert AuditLogEntry.objects.filter(access_path="organisation", changes_text__startswith="Registre").exists()


def test_list_filters_by_status_name_priority_commune_neighbourhood(client, manager, organisation):
    commune = CommuneFactory(name="Cesson-Sévigné")
    organisation.communes_served.add(commune, CommuneFactory(name="Rennes"))
    one = RegisterEntryFactory(organisation=organisation, active=True, priority=1, neighbourhood="Centre")
    PersonAddressFactory(person=one.person, commune=commune, is_current=True)
    two = RegisterEntryFactory(organisation=organisation, person__last_name="Autrenom")

    def names(**params):
        page = client.get(reverse("register:list"), params).context["page_obj"]
        return {e.pk for e in page}

    assert names(status="active") == {one.pk}
    assert names(q="Autrenom") == {two.pk}
    assert names(priority="1") == {one.pk}
    assert names(commune=commune.pk) == {one.pk}
    assert names(neighbourhood="centre") == {one.pk}


# --- The entry page --------------------------------------------------------------------------------


def test_entry_page_shows_point_one_and_is_logged(client, manager, organisation):
    entry = RegisterEntryFactory(
        organisation=organisation,
        active=True,
        best_times="Le matin",
        home_access="Digicode 1234B",
        home_professionals="Aide à domicile ADMR",
        hearing_difficulty=True,
    )
    PersonPhoneFactory(person=entry.person, number="+33299123456")
    contact = RelationFactory(person=entry.person, is_emergency_contact=True, last_name="Prevenir", phone="0612345678")
    known = RelationFactory(person=entry.person, kind=RelationKind.NEIGHBOUR, last_name="Voisinconnu")
    entry.known_by = known
    entry.save()
    entry.known_by_callers.add(manager)
    response = client.get(reverse("register:detail", args=[entry.pk]))
    body = response.content.decode()
    for text in (
        "Le matin",
        "Digicode 1234B",
        "Aide à domicile ADMR",
        "Entend mal",
        "02 99 12 34 56",
        "Prevenir",
        "Voisinconnu",
        manager.get_full_name(),
        "Vit seule",
        "Personne âgée de 65 ans et plus",
        "La personne elle-même",
    ):
        assert text in body, text
    assert contact.last_name in body
    line = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, access_path="organisation").last()
    assert line.changes_text == "Inscription au registre"
    assert line.subject_person_id == entry.person_id


# --- Registration by the manager -------------------------------------------------------------------


def _registration(person, **fields) -> dict:
    """What « Inscrire » posts for a person who asks themself, at the desk, today."""
    return {
        "personne": person.pk,
        "source": "self",
        "requested_on": timezone.localdate().isoformat(),
        "received_via": "desk",
        "legal_category": "aged_65",
        **fields,
    }


def test_manager_registers_a_person_by_phone_with_consent(client, manager, organisation):
    person = PersonFactory(organisation=organisation, last_name="Inscrite")
    url = reverse("register:create") + f"?personne={person.pk}"
    page = client.get(url)
    assert "Texte du consentement" in page.content.decode()
    assert organisation.name in page.content.decode()
    response = client.post(
        reverse("register:create"),
        _registration(
            person,
            isolation_factors=["lives_alone", "few_visits"],
            priority="1",
            consent_given="on",
            consent_channel="oral",
            subscribes_to_information="on",
        ),
    )
    entry = RegisterEntry.objects.get(person=person)
    assert response.status_code == 302
    assert entry.status == EntryStatus.ACTIVE
    assert entry.consent.recorded_by == manager
    assert organisation.name in entry.consent_wording
    assert person.consents.in_force().filter(scope=ConsentScope.INFORMATION).exists()


def test_manager_registration_without_consent_box_names_the_field(client, manager, organisation):
    person = PersonFactory(organisation=organisation)
    response = client.post(reverse("register:create"), _registration(person, priority="2"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "consent_given" in form.errors and "consent_channel" in form.errors
    assert not RegisterEntry.objects.exists()


def test_registration_search_then_new_person_link(client, manager, organisation):
    PersonFactory(organisation=organisation, last_name="Trouvable")
    PersonFactory(last_name="Trouvable")  # another organisation's
    response = client.get(reverse("register:create"), {"q": "trouvable"})
    assert len(response.context["persons"]) == 1
    assert f"{reverse('people:create')}?next={reverse('register:create')}" in response.content.decode()


def test_someone_elses_person_cannot_be_registered(client, manager):
    stranger = PersonFactory()
    response = client.get(reverse("register:create"), {"personne": stranger.pk})
    assert response.templates[0].name == "register/entries/create_search.html"
    assert stranger.full_name not in response.content.decode()


# --- Actions ---------------------------------------------------------------------------------------


def test_record_consent_of_a_relatives_request(client, manager, organisation):
    entry = RegisterEntryFactory(organisation=organisation)
    page = client.get(reverse("register:consent", args=[entry.pk]))
    assert organisation.name in page.context["form"].initial["wording"]
    response = client.post(
        reverse("register:consent", args=[entry.pk]),
        {
            "given_on": timezone.localdate().isoformat(),
            "channel": "oral",
            "given_by": "person",
            "wording": page.context["form"].initial["wording"],
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE
    assert entry.consent.recorded_by == manager


def test_consent_in_the_future_is_refused_naming_the_field(client, manager, organisation):
    entry = RegisterEntryFactory(organisation=organisation)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("register:consent", args=[entry.pk]),
        {"given_on": tomorrow.isoformat(), "channel": "oral", "given_by": "person", "wording": "Texte"},
    )
    assert "futur" in response.context["form"].errors["given_on"][0]


def test_possible_duplicate_needs_the_check_box(client, manager, organisation):
    entry = RegisterEntryFactory(organisation=organisation, possible_duplicate=True)
    data = {
        "given_on": timezone.localdate().isoformat(),
        "channel": "online",
        "given_by": "person",
        "wording": "Texte",
    }
    response = client.post(reverse("register:consent", args=[entry.pk]), data)
    assert response.status_code == 200
    assert "duplicate_checked" in response.context["form"].errors
    response = client.post(reverse("register:consent", args=[entry.pk]), {**data, "duplicate_checked": "on"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE and not entry.possible_duplicate


def test_suspend_resume_confirm(client, manager, organisation):
    entry = RegisterEntryFactory(organisation=organisation, to_confirm=True)
    response = client.post(reverse("register:suspend", args=[entry.pk]), {"reason": ""})
    assert "reason" in response.context["form"].errors
    client.post(reverse("register:suspend", args=[entry.pk]), {"reason": "Hospitalisée"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUSPENDED
    client.post(reverse("register:resume", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE
    assert [e.pk for e in client.get(reverse("register:to_confirm")).context["page_obj"]] == [entry.pk]
    response = client.post(
        reverse("register:confirm", args=[entry.pk]),
        {"confirmed_on": timezone.localdate().isoformat(), "next": "to_confirm"},
    )
    assert response["Location"] == reverse("register:to_confirm")
    entry.refresh_from_db()
    assert entry.confirmed_on == timezone.localdate()
    assert list(client.get(reverse("register:to_confirm")).context["page_obj"]) == []


def test_removal_at_the_persons_request_needs_the_confirmation_page(client, manager, organisation):
    entry = RegisterEntryFactory(organisation=organisation, active=True)
    page = client.get(reverse("register:remove", args=[entry.pk]))
    assert "La radiation est immédiate" in page.content.decode()
    response = client.post(reverse("register:remove", args=[entry.pk]), {"at_persons_request": "yes"})
    assert "confirm" in response.context["form"].errors
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE
    client.post(reverse("register:remove", args=[entry.pk]), {"at_persons_request": "yes", "confirm": "on"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED
    assert entry.removal_reason == "À la demande de la personne"
    assert not entry.person.consents.in_force().filter(scope=ConsentScope.REGISTER).exists()


def test_removal_for_another_reason_needs_the_reason(client, manager, organisation):
    entry = RegisterEntryFactory(organisation=organisation, active=True)
    response = client.post(reverse("register:remove", args=[entry.pk]), {"at_persons_request": "no", "confirm": "on"})
    assert "reason" in response.context["form"].errors


def test_edit_entry_known_by_must_be_of_the_persons_entourage(client, manager, organisation):
    entry = RegisterEntryFactory(organisation=organisation, active=True)
    mine = RelationFactory(person=entry.person)
    foreign = RelationFactory()
    data = {"legal_category": "aged_65", "priority": "2", "known_by": foreign.pk}
    response = client.post(reverse("register:edit", args=[entry.pk]), data)
    assert "known_by" in response.context["form"].errors
    client.post(reverse("register:edit", args=[entry.pk]), {**data, "known_by": mine.pk, "home_access": "Gardien"})
    entry.refresh_from_db()
    assert entry.known_by == mine and entry.home_access == "Gardien"
