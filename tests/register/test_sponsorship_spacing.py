"""Spacing a sponsorship's calls out (issue 13, point 5; guide VISA: « si la fréquence des appels
doit être diminuée, il est important de le préparer avec les personnes appelées »): the manager plans
it, the sponsor announces it during their next friendly call, the new interval applies from the call
after. The services (table-driven), the caller's page, the manager's pages, the API, the attacks."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.register.enums import CallPurpose, CallStatus, Outcome
from maillage.register.models import Call, CallAttempt, Sponsorship
from maillage.register.services import calls
from maillage.register.services import sponsorships as services
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.register.follow_factories import RegisterEntryFactory, register_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    organisation, manager, volunteer = register_team()
    entry = RegisterEntryFactory(organisation=organisation)
    return organisation, manager, volunteer, entry


@pytest.fixture
def planned(team):
    """A weekly sponsorship whose manager planned a call every 14 days (not yet announced)."""
    organisation, manager, volunteer, entry = team
    sponsorship = services.sponsorship_create(
        actor=manager, organisation=organisation, entry=entry, volunteer=volunteer, every_days=7
    )
    services.sponsorship_change_frequency(
        actor=manager, organisation=organisation, sponsorship=sponsorship, every_days=14
    )
    sponsorship.refresh_from_db()
    return sponsorship


def open_call(sponsorship) -> Call:
    return Call.objects.open().get(entry=sponsorship.entry)


# --- Services -------------------------------------------------------------------------------------


def test_a_larger_interval_is_pending_until_announced(planned):
    assert planned.every_days == 7 and planned.pending_every_days == 14
    assert planned.pending_by is not None and planned.spacing_announced_on is None
    call = open_call(planned)
    assert services.spacing_to_announce(call) == planned
    # The sponsor's first call keeps the current rhythm: it is the one that announces.
    assert call.due_at.date() <= timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("outcome", "announced", "needs", "every_days", "pending", "next_in_days"),
    [
        # Announced to a person reached: the new interval plans the call after.
        (Outcome.REACHED_FINE, True, [], 14, None, 14),
        (Outcome.NEEDS_FOUND, True, ["se-nourrir"], 14, None, 14),
        # Reached but not announced: the current rhythm, and the prompt stays on the next call.
        (Outcome.REACHED_FINE, False, [], 7, 14, 7),
        # Not reached: the same call is tried again later, the prompt stays on it.
        (Outcome.NOT_REACHED, False, [], 7, 14, None),
    ],
)
def test_the_announcement_during_a_call(planned, outcome, announced, needs, every_days, pending, next_in_days):
    call = open_call(planned)
    now = call.due_at + datetime.timedelta(hours=1)
    calls.call_record_outcome(
        actor=planned.volunteer, call=call, outcome=outcome, needs=needs, spacing_announced=announced, now=now
    )
    planned.refresh_from_db()
    assert planned.every_days == every_days and planned.pending_every_days == pending
    following = open_call(planned)
    if next_in_days is None:
        assert following == call and following.status == CallStatus.RETRY
    else:
        assert following != call and following.assigned_to == planned.volunteer
        assert timezone.localdate(following.due_at) == timezone.localdate(now) + datetime.timedelta(days=next_in_days)
    if announced:
        assert planned.spacing_announced_on == timezone.localdate(now)
        assert planned.spacing_announced_by == planned.volunteer and planned.spacing_announced_call == call
        assert services.spacing_to_announce(following) is None
    else:
        assert planned.spacing_announced_on is None
        assert services.spacing_to_announce(following) == planned


@pytest.mark.parametrize("outcome", [Outcome.NOT_REACHED, Outcome.REFUSED, Outcome.IN_HOSPITAL])
def test_announced_without_reaching_the_person_is_refused_and_nothing_is_recorded(planned, outcome):
    call = open_call(planned)
    with pytest.raises(ValidationError) as error:
        calls.call_record_outcome(actor=planned.volunteer, call=call, outcome=outcome, spacing_announced=True)
    assert "spacing_announced" in error.value.error_dict
    assert not CallAttempt.objects.filter(call=call).exists()
    planned.refresh_from_db()
    assert planned.every_days == 7 and planned.pending_every_days == 14


def test_nothing_to_announce_is_refused(team):
    organisation, manager, volunteer, entry = team
    sponsorship = services.sponsorship_create(
        actor=manager, organisation=organisation, entry=entry, volunteer=volunteer, every_days=7
    )
    call = open_call(sponsorship)
    assert services.spacing_to_announce(call) is None
    with pytest.raises(ValidationError) as error:
        calls.call_record_outcome(actor=volunteer, call=call, outcome=Outcome.REACHED_FINE, spacing_announced=True)
    assert "spacing_announced" in error.value.error_dict
    assert not CallAttempt.objects.filter(call=call).exists()


def test_only_the_sponsors_friendly_call_announces(planned):
    call = open_call(planned)
    call.purpose = CallPurpose.WATCH
    call.save()
    assert services.spacing_to_announce(call) is None
    call.purpose = CallPurpose.FRIENDLY
    call.assigned_to = MembershipFactory(organisation=planned.organisation, role=Role.VOLUNTEER).user
    call.save()
    assert services.spacing_to_announce(call) is None


def test_the_manager_cancels_the_pending_change(planned, team):
    organisation, manager = team[0], team[1]
    services.sponsorship_cancel_spacing(actor=manager, organisation=organisation, sponsorship=planned)
    planned.refresh_from_db()
    assert planned.pending_every_days is None and planned.every_days == 7
    assert services.spacing_to_announce(open_call(planned)) is None
    with pytest.raises(ApplicationError):
        services.sponsorship_cancel_spacing(actor=manager, organisation=organisation, sponsorship=planned)


def test_a_day_given_applies_at_once_and_more_frequent_calls_drop_the_pending_change(planned, team):
    organisation, manager = team[0], team[1]
    with pytest.raises(ValidationError) as error:
        services.sponsorship_change_frequency(
            actor=manager,
            organisation=organisation,
            sponsorship=planned,
            every_days=21,
            spacing_announced_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "spacing_announced_on" in error.value.error_dict
    # Told in person: the manager gives the day, the interval applies at once.
    services.sponsorship_change_frequency(
        actor=manager,
        organisation=organisation,
        sponsorship=planned,
        every_days=21,
        spacing_announced_on=timezone.localdate(),
    )
    planned.refresh_from_db()
    assert planned.every_days == 21 and planned.pending_every_days is None
    assert planned.spacing_announced_by == manager and planned.spacing_announced_call is None
    services.sponsorship_change_frequency(actor=manager, organisation=organisation, sponsorship=planned, every_days=28)
    services.sponsorship_change_frequency(actor=manager, organisation=organisation, sponsorship=planned, every_days=3)
    planned.refresh_from_db()
    assert planned.every_days == 3 and planned.pending_every_days is None


def _others(planned):
    organisation = planned.organisation
    return {
        "another organisation's manager": MembershipFactory(role=Role.REGISTER_MANAGER).user,
        "reception agent": MembershipFactory(organisation=organisation, role=Role.RECEPTION_AGENT).user,
        "the sponsor": planned.volunteer,
    }


def test_nobody_but_the_organisations_manager_plans_or_cancels(planned):
    for who, actor in _others(planned).items():
        with pytest.raises(ApplicationError):
            services.sponsorship_cancel_spacing(actor=actor, organisation=planned.organisation, sponsorship=planned)
        with pytest.raises(ApplicationError):
            services.sponsorship_change_frequency(
                actor=actor, organisation=planned.organisation, sponsorship=planned, every_days=30
            )
        planned.refresh_from_db()
        assert planned.pending_every_days == 14 and planned.every_days == 7, who
    # Another organisation's manager with their own organisation: not theirs.
    stranger = MembershipFactory(role=Role.REGISTER_MANAGER)
    with pytest.raises(ApplicationError):
        services.sponsorship_cancel_spacing(
            actor=stranger.user, organisation=stranger.organisation, sponsorship=planned
        )
    planned.refresh_from_db()
    assert planned.pending_every_days == 14


# --- The caller's page --------------------------------------------------------------------------------


def test_the_sponsors_call_page_shows_the_prompt_and_the_box(client, planned):
    call = open_call(planned)
    login_verified(client, planned.volunteer)
    url = reverse("calls:detail", args=[call.pk])
    body = client.get(url).content.decode()
    starts = timezone.localdate() + datetime.timedelta(days=14)
    assert "Annoncez à la personne que les appels seront désormais espacés" in body
    assert "toutes les deux semaines à partir du" in body and str(starts.year) in body
    assert "J&#x27;ai annoncé l&#x27;espacement des appels" in body or "J'ai annoncé l'espacement des appels" in body
    response = client.post(
        url, {"outcome": Outcome.REACHED_FINE, "spacing_announced": "on", "version": call.version}, follow=True
    )
    assert response.status_code == 200
    assert "Espacement annoncé : désormais un appel toutes les deux semaines." in response.content.decode()
    planned.refresh_from_db()
    assert planned.every_days == 14 and planned.spacing_announced_call == call
    next_body = client.get(reverse("calls:detail", args=[open_call(planned).pk])).content.decode()
    assert "désormais espacés" not in next_body and "annoncé l" not in next_body


def test_the_sponsor_sees_the_announcement_ahead_in_my_sponsorships(client, planned):
    login_verified(client, planned.volunteer)
    body = client.get(reverse("sponsorships:mine")).content.decode()
    assert "À annoncer lors du prochain appel : désormais toutes les deux semaines." in body


def test_not_reached_with_the_box_ticked_is_refused_on_the_page(client, planned):
    call = open_call(planned)
    login_verified(client, planned.volunteer)
    response = client.post(
        reverse("calls:detail", args=[call.pk]),
        {"outcome": Outcome.NOT_REACHED, "spacing_announced": "on", "version": call.version},
    )
    assert (
        "s&#x27;annonce à une personne jointe" in response.content.decode()
        or "s'annonce à une personne jointe" in (response.content.decode())
    )
    assert not CallAttempt.objects.filter(call=call).exists()


def test_a_call_without_spacing_has_no_box(client, team):
    organisation, manager, volunteer, entry = team
    sponsorship = services.sponsorship_create(
        actor=manager, organisation=organisation, entry=entry, volunteer=volunteer, every_days=7
    )
    login_verified(client, volunteer)
    body = client.get(reverse("calls:detail", args=[open_call(sponsorship).pk])).content.decode()
    assert "désormais espacés" not in body and "spacing_announced" not in body


# --- The manager's pages ---------------------------------------------------------------------------------


def test_the_manager_plans_sees_and_cancels_a_spacing(client, team):
    organisation, manager, volunteer, entry = team
    sponsorship = services.sponsorship_create(
        actor=manager, organisation=organisation, entry=entry, volunteer=volunteer, every_days=7
    )
    login_verified(client, manager)
    response = client.post(reverse("sponsorships:frequency", args=[sponsorship.pk]), {"every_days": "14"})
    assert response.status_code == 302
    sponsorship.refresh_from_db()
    assert sponsorship.every_days == 7 and sponsorship.pending_every_days == 14
    listing = client.get(reverse("sponsorships:list")).content.decode()
    assert "Espacement prévu : toutes les deux semaines, à annoncer lors du prochain appel." in listing
    assert reverse("sponsorships:cancel_spacing", args=[sponsorship.pk]) in listing
    page = client.get(reverse("sponsorships:frequency", args=[sponsorship.pk])).content.decode()
    assert "Espacement prévu" in page

    response = client.post(reverse("sponsorships:cancel_spacing", args=[sponsorship.pk]))
    assert response.status_code == 302
    sponsorship.refresh_from_db()
    assert sponsorship.pending_every_days is None
    line = AuditLogEntry.objects.get(changes_text="Parrainage : espacement annulé")
    assert line.access_path == "organisation" and line.subject_person_id == entry.person_id
    assert client.get(reverse("sponsorships:cancel_spacing", args=[sponsorship.pk])).status_code == 405


def test_the_list_says_when_and_by_whom_the_spacing_was_announced(client, planned):
    call = open_call(planned)
    calls.call_record_outcome(actor=planned.volunteer, call=call, outcome=Outcome.REACHED_FINE, spacing_announced=True)
    manager = Sponsorship.objects.get(pk=planned.pk).created_by
    login_verified(client, manager)
    listing = client.get(reverse("sponsorships:list")).content.decode()
    name = planned.volunteer.get_full_name()
    assert f"Dernier espacement annoncé le {timezone.localdate():%d/%m/%Y} par {name} lors d" in listing


def test_the_register_entry_page_shows_the_pending_spacing(client, planned):
    login_verified(client, planned.created_by)
    body = client.get(reverse("register:detail", args=[planned.entry.pk])).content.decode()
    assert "espacement prévu (toutes les deux semaines), à annoncer lors du prochain appel" in body


@pytest.mark.parametrize("who", ["another organisation's manager", "reception agent", "the sponsor"])
def test_cancel_is_404_for_anyone_else_and_changes_nothing(client, planned, who):
    login_verified(client, _others(planned)[who])
    assert client.post(reverse("sponsorships:cancel_spacing", args=[planned.pk])).status_code == 404
    planned.refresh_from_db()
    assert planned.pending_every_days == 14


def test_cancel_needs_an_active_membership_and_the_second_factor(client, planned):
    membership = MembershipFactory(organisation=planned.organisation, role=Role.REGISTER_MANAGER)
    client.force_login(membership.user, backend="maillage.core.auth_backends.EmailBackend")
    response = client.post(reverse("sponsorships:cancel_spacing", args=[planned.pk]))
    assert response.status_code in (302, 404)
    planned.refresh_from_db()
    assert planned.pending_every_days == 14
    membership.is_active = False
    membership.save()
    client.logout()
    login_verified(client, membership.user)
    assert client.post(reverse("sponsorships:cancel_spacing", args=[planned.pk])).status_code == 404
    planned.refresh_from_db()
    assert planned.pending_every_days == 14


# --- The API --------------------------------------------------------------------------------------------


def test_the_api_gives_the_prompt_and_takes_the_flag(planned):
    client = login_verified(Client(), planned.volunteer)
    call = open_call(planned)
    Call.objects.filter(pk=call.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=5))
    campaign = call.campaign
    given = client.post(reverse("register_api:next_call", kwargs={"pk": campaign.pk}))
    assert given.status_code == 200, given.content
    data = given.json()
    assert data["spacing_to_announce"]["every_days"] == 14
    assert "désormais espacés" in data["spacing_to_announce"]["text"]
    response = client.post(
        reverse("register_api:call_outcome", kwargs={"pk": data["id"]}),
        data=json.dumps({"outcome": "reached_fine", "spacing_announced": True, "version": data["version"]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    planned.refresh_from_db()
    assert planned.every_days == 14 and planned.spacing_announced_by == planned.volunteer


def test_the_api_refuses_the_flag_when_there_is_nothing_to_announce(planned, team):
    services.sponsorship_cancel_spacing(actor=team[1], organisation=team[0], sponsorship=planned)
    call = open_call(planned)
    client = login_verified(Client(), planned.volunteer)
    response = client.post(
        reverse("register_api:call_outcome", kwargs={"pk": call.pk}),
        data=json.dumps({"outcome": "reached_fine", "spacing_announced": True, "version": call.version}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "spacing_announced" in json.dumps(response.json())
    assert not CallAttempt.objects.filter(call=call).exists()


def test_the_openapi_document_describes_the_flag(client):
    schemas = client.get(reverse("api:openapi")).json()["components"]["schemas"]
    assert "spacing_announced" in schemas["OutcomeIn"]["properties"]
    assert "spacing_to_announce" in schemas["NextCall"]["properties"]
    assert "SpacingToAnnounce" in schemas
