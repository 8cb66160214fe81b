"""Sponsorships (« parrainages »): the services (creation, end, frequency — the spacing's
announcement is tested in test_sponsorship_spacing.py —, the daily scheduling of the sponsor's
calls) and the pages, with their attacks."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.register.enums import CallPurpose, CallStatus, EntryStatus, EscalationReason, Outcome
from maillage.register.models import Call, Escalation, Sponsorship
from maillage.register.services import calls, entries
from maillage.register.services import sponsorships as services
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.register.follow_factories import RegisterEntryFactory, register_team
from tests.volunteers.factories import caller

pytestmark = pytest.mark.django_db


def tomorrow_at_nine(now=None):
    day = timezone.localdate(now or timezone.now()) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


@pytest.fixture
def team():
    organisation, manager, volunteer = register_team()
    entry = RegisterEntryFactory(organisation=organisation)
    return organisation, manager, volunteer, entry


def create(team, **kwargs):
    organisation, manager, volunteer, entry = team
    params = {"actor": manager, "organisation": organisation, "entry": entry, "volunteer": volunteer, "every_days": 7}
    return services.sponsorship_create(**{**params, **kwargs})


# --- Services -------------------------------------------------------------------------------------


def test_creation_plans_the_sponsors_first_call_tomorrow_morning(team):
    sponsorship = create(team)
    call = Call.objects.get(entry=sponsorship.entry)
    assert call.purpose == CallPurpose.FRIENDLY and call.status == CallStatus.ASSIGNED
    assert call.assigned_to == team[2] and call.due_at == tomorrow_at_nine()
    assert call.campaign.standing and call.campaign.callers.filter(pk=team[2].pk).exists()


def test_only_the_register_manager_creates(team):
    organisation, manager, volunteer, entry = team
    reception = MembershipFactory(organisation=organisation, role=Role.RECEPTION_AGENT).user
    with pytest.raises(ApplicationError):
        create(team, actor=reception)
    other_manager = MembershipFactory(role=Role.REGISTER_MANAGER).user
    with pytest.raises(ApplicationError):
        create(team, actor=other_manager)
    assert not Sponsorship.objects.exists()


@pytest.mark.parametrize("status", [EntryStatus.PENDING_CONSENT, EntryStatus.SUSPENDED, EntryStatus.REMOVED])
def test_the_entry_must_be_active(team, status):
    entry = team[3]
    entry.status = status
    entry.save()
    with pytest.raises(ValidationError) as error:
        create(team)
    assert "inscrite" in str(error.value)


def test_the_sponsor_is_a_volunteer_of_the_organisation(team):
    organisation = team[0]
    reception = MembershipFactory(organisation=organisation, role=Role.RECEPTION_AGENT).user
    stranger = MembershipFactory(role=Role.VOLUNTEER).user
    former = MembershipFactory(organisation=organisation, role=Role.VOLUNTEER, is_active=False).user
    for user in (reception, stranger, former):
        with pytest.raises(ValidationError) as error:
            create(team, volunteer=user)
        assert "bénévole" in str(error.value)


def test_one_sponsor_at_a_time_then_another_after_the_end(team):
    first = create(team)
    second_volunteer = caller(team[0])
    with pytest.raises(ValidationError) as error:
        create(team, volunteer=second_volunteer)
    assert "déjà un parrain" in str(error.value)
    services.sponsorship_end(actor=team[1], organisation=team[0], sponsorship=first)
    assert not Call.objects.filter(entry=team[3]).exclude(status=CallStatus.CANCELLED).exists()
    second = create(team, volunteer=second_volunteer)
    assert Call.objects.open().get(entry=team[3]).assigned_to == second.volunteer
    with pytest.raises(ApplicationError):
        services.sponsorship_end(actor=team[1], organisation=team[0], sponsorship=first)


@pytest.mark.parametrize("days", [0, 91, "sept"])
def test_the_frequency_is_checked(team, days):
    with pytest.raises(ValidationError) as error:
        create(team, every_days=days)
    assert "every_days" in error.value.error_dict


def test_calls_become_less_frequent_only_once_the_person_was_told(team):
    sponsorship = create(team)
    organisation, manager = team[0], team[1]
    # No day given: a pending change, announced during the sponsor's next call
    # (tests/register/test_sponsorship_spacing.py); the interval stays meanwhile.
    services.sponsorship_change_frequency(
        actor=manager, organisation=organisation, sponsorship=sponsorship, every_days=14
    )
    sponsorship.refresh_from_db()
    assert sponsorship.every_days == 7 and sponsorship.pending_every_days == 14
    assert sponsorship.spacing_announced_on is None
    with pytest.raises(ValidationError):
        services.sponsorship_change_frequency(
            actor=manager,
            organisation=organisation,
            sponsorship=sponsorship,
            every_days=14,
            spacing_announced_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    today = timezone.localdate()
    services.sponsorship_change_frequency(
        actor=manager, organisation=organisation, sponsorship=sponsorship, every_days=14, spacing_announced_on=today
    )
    sponsorship.refresh_from_db()
    assert sponsorship.every_days == 14 and sponsorship.spacing_announced_on == today
    assert sponsorship.pending_every_days is None
    # More frequent calls need no announcement.
    services.sponsorship_change_frequency(
        actor=manager, organisation=organisation, sponsorship=sponsorship, every_days=3
    )
    sponsorship.refresh_from_db()
    assert sponsorship.every_days == 3


def test_an_outcome_plans_the_next_sponsored_call_every_n_days(team):
    sponsorship = create(team, every_days=10)
    call = Call.objects.open().get(entry=sponsorship.entry)
    now = call.due_at + datetime.timedelta(hours=2)
    calls.call_record_outcome(actor=team[2], call=call, outcome=Outcome.REACHED_FINE, now=now)
    # No grid filled on a friendly call: the sponsor's next call still comes, N days after this one.
    following = Call.objects.open().get(entry=sponsorship.entry)
    assert following.assigned_to == team[2]
    assert timezone.localdate(following.due_at) == timezone.localdate(now) + datetime.timedelta(days=10)
    assert timezone.localtime(following.due_at).hour == 9


def test_the_daily_run_creates_the_missing_calls_only(team):
    organisation, manager, volunteer, entry = team
    sponsorship = create(team)
    assert services.sponsorship_schedule_calls() == 0  # one is open already
    Call.objects.filter(entry=entry).update(status=CallStatus.CANCELLED)
    assert services.sponsorship_schedule_calls() == 1
    assert Call.objects.open().get(entry=entry).assigned_to == volunteer
    # A suspended entry, an alert waiting for the manager, an ended sponsorship: nothing.
    Call.objects.filter(entry=entry).update(status=CallStatus.CANCELLED)
    Escalation.objects.create(organisation=organisation, entry=entry, reason=EscalationReason.DANGER)
    assert services.sponsorship_schedule_calls() == 0
    Escalation.objects.update(handled_at=timezone.now())
    entries.entry_suspend(actor=manager, organisation=organisation, entry=entry, reason="Hospitalisée")
    assert services.sponsorship_schedule_calls() == 0
    entries.entry_resume(actor=manager, organisation=organisation, entry=entry)
    services.sponsorship_end(actor=manager, organisation=organisation, sponsorship=sponsorship)
    assert services.sponsorship_schedule_calls() == 0


def test_the_daily_command_runs_the_scheduling(team):
    create(team)
    Call.objects.update(status=CallStatus.CANCELLED)
    call_command("register_daily", "--now", stdout=__import__("io").StringIO())
    assert Call.objects.open().count() == 1


def test_removal_ends_the_sponsorship_and_its_calls(team):
    organisation, manager, volunteer, entry = team
    sponsorship = create(team)
    entries.entry_remove(actor=manager, organisation=organisation, entry=entry, reason="", at_persons_request=True)
    sponsorship.refresh_from_db()
    assert sponsorship.ended_on is not None
    assert not Call.objects.open().filter(entry=entry).exists()
    assert services.sponsorship_schedule_calls() == 0


# --- Pages ----------------------------------------------------------------------------------------


def test_the_manager_creates_changes_and_ends_a_sponsorship(client, team):
    organisation, manager, volunteer, entry = team
    login_verified(client, manager)
    page = client.get(reverse("sponsorships:create"))
    assert page.status_code == 200 and entry.person.full_name in page.content.decode()
    response = client.post(
        reverse("sponsorships:create"), {"entry": entry.pk, "volunteer": volunteer.pk, "every_days": "7", "note": ""}
    )
    assert response.status_code == 302
    sponsorship = Sponsorship.objects.get()
    listing = client.get(reverse("sponsorships:list")).content.decode()
    assert entry.person.full_name in listing and "toutes les semaines" in listing
    assert AuditLogEntry.objects.filter(
        object_repr="Recherche de personnes", changes_text__startswith="Parrainages"
    ).exists()

    url = reverse("sponsorships:frequency", args=[sponsorship.pk])
    assert client.post(url, {"every_days": "14"}).status_code == 302
    sponsorship.refresh_from_db()
    assert sponsorship.every_days == 7 and sponsorship.pending_every_days == 14  # to announce first
    assert client.post(url, {"every_days": "14", "spacing_announced_on": str(timezone.localdate())}).status_code == 302
    sponsorship.refresh_from_db()
    assert sponsorship.every_days == 14 and sponsorship.pending_every_days is None

    assert client.post(reverse("sponsorships:end", args=[sponsorship.pk])).status_code == 302
    sponsorship.refresh_from_db()
    assert sponsorship.ended_on == timezone.localdate()


def test_bad_input_names_the_field(client, team):
    login_verified(client, team[1])
    response = client.post(reverse("sponsorships:create"), {"entry": "", "volunteer": team[2].pk, "every_days": "0"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choisissez la personne parrainée." in body
    assert "La fréquence va d&#x27;un appel par jour" in body or "La fréquence va d'un appel par jour" in body


def test_the_volunteer_sees_only_their_sponsored_persons(client, team):
    organisation, manager, volunteer, entry = team
    create(team)
    other_entry = RegisterEntryFactory(organisation=organisation)
    other_volunteer = caller(organisation)
    create(team, entry=other_entry, volunteer=other_volunteer)
    login_verified(client, volunteer)
    body = client.get(reverse("sponsorships:mine")).content.decode()
    assert entry.person.full_name in body and other_entry.person.full_name not in body
    assert f"{tomorrow_at_nine():%d/%m/%Y}" in body
    assert AuditLogEntry.objects.filter(changes_text__startswith="Mes parrainages", access_path="sponsorship").exists()
    # Nothing of the register entry: no address, no phone, no isolation factor.
    address = entry.person.addresses.get()
    assert address.line not in body


@pytest.fixture
def running(team):
    return create(team)


def _manager_urls(sponsorship):
    return [
        ("get", reverse("sponsorships:list")),
        ("get", reverse("sponsorships:create")),
        ("post", reverse("sponsorships:create")),
        ("get", reverse("sponsorships:frequency", args=[sponsorship.pk])),
        ("post", reverse("sponsorships:frequency", args=[sponsorship.pk])),
        ("post", reverse("sponsorships:cancel_spacing", args=[sponsorship.pk])),
        ("get", reverse("sponsorships:end", args=[sponsorship.pk])),
        ("post", reverse("sponsorships:end", args=[sponsorship.pk])),
    ]


def test_another_organisations_manager_reaches_nothing(client, running):
    login_verified(client, MembershipFactory(role=Role.REGISTER_MANAGER).user)
    for method, url in _manager_urls(running)[3:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert running.entry.person.full_name not in client.get(reverse("sponsorships:list")).content.decode()
    running.refresh_from_db()
    assert running.ended_on is None


@pytest.mark.parametrize("role", [Role.RECEPTION_AGENT, Role.COORDINATOR, Role.DIRECTOR, Role.VOLUNTEER])
def test_other_roles_of_the_same_organisation_reach_no_manager_page(client, running, role):
    login_verified(client, MembershipFactory(organisation=running.organisation, role=role).user)
    for method, url in _manager_urls(running):
        assert getattr(client, method)(url).status_code == 404, url
    running.refresh_from_db()
    assert running.ended_on is None


def test_the_sponsor_cannot_manage_and_a_volunteer_who_is_not_the_sponsor_sees_nothing(client, running):
    login_verified(client, running.volunteer)
    for method, url in _manager_urls(running):
        assert getattr(client, method)(url).status_code == 404, url
    client.logout()
    login_verified(client, MembershipFactory(organisation=running.organisation, role=Role.VOLUNTEER).user)
    body = client.get(reverse("sponsorships:mine")).content.decode()
    assert running.entry.person.full_name not in body


def test_an_ended_membership_reaches_nothing(client, running):
    running.volunteer.memberships.update(is_active=False)
    login_verified(client, running.volunteer)
    assert client.get(reverse("sponsorships:mine")).status_code == 404
    manager_membership = MembershipFactory(organisation=running.organisation, role=Role.REGISTER_MANAGER)
    manager_membership.is_active = False
    manager_membership.save()
    client.logout()
    login_verified(client, manager_membership.user)
    assert client.get(reverse("sponsorships:list")).status_code == 404


def test_without_the_second_factor_nothing_shows(client, running):
    manager = MembershipFactory(organisation=running.organisation, role=Role.REGISTER_MANAGER).user
    client.force_login(manager, backend="maillage.core.auth_backends.EmailBackend")
    for method, url in [*_manager_urls(running), ("get", reverse("sponsorships:mine"))]:
        response = getattr(client, method)(url)
        assert response.status_code in (302, 404), url
        assert running.entry.person.full_name not in response.content.decode()
    running.refresh_from_db()
    assert running.ended_on is None


def test_the_dashboard_links_to_the_sponsorships(client, running):
    login_verified(client, running.volunteer)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "Vous appelez régulièrement une personne." in body and reverse("sponsorships:mine") in body
    assert running.entry.person.full_name not in body
