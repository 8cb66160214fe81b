"""What follows a call, by the level of the phone grid (register.services.orientation): each level
creates its follow-up calls (purpose, campaign, due time, caller) and its tasks for the register
manager; follow-ups appear on the caller's list the next morning and stop with the crisis (watch
calls) or the entry (all)."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from maillage.casework.models import FollowUpTask
from maillage.core import access
from maillage.core.enums import OrganisationKind
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.register.enums import CallPurpose, CallStatus, CampaignStatus, EntryStatus, Outcome
from maillage.register.models import Call, CallCampaign, Escalation
from maillage.register.services import calls, campaigns, entries, orientation
from tests.core.factories import CommuneFactory, OrganisationFactory
from tests.register.follow_factories import (
    CallFactory,
    CampaignFactory,
    CrisisFactory,
    SponsorshipFactory,
    register_team,
)
from tests.volunteers.factories import caller

pytestmark = pytest.mark.django_db

NEED = ESSENTIAL_NEEDS[0][0]  # « se nourrir »
# A Tuesday afternoon in July, Paris time.
NOW = datetime.datetime(2026, 7, 14, 15, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))


def at_nine(days: int) -> datetime.datetime:
    local = timezone.localtime(NOW).date() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(local, datetime.time(9)), timezone.get_current_timezone())


@pytest.fixture
def grid_level(monkeypatch):
    """The phone grid scored as the test says (the grid itself is casework.fragility's)."""
    state = {}
    monkeypatch.setattr(calls, "score", lambda grid, answers: SimpleNamespace(level=state["level"]))
    return state


def scenario(*, in_crisis: bool):
    organisation, manager, volunteer = register_team()
    crisis = CrisisFactory(organisation=organisation) if in_crisis else None
    campaign = CampaignFactory(organisation=organisation, crisis=crisis, created_by=manager)
    campaign.callers.add(volunteer)
    call = CallFactory(campaign=campaign, assigned_to=volunteer, due_at=NOW - datetime.timedelta(hours=1))
    return SimpleNamespace(
        organisation=organisation, manager=manager, volunteer=volunteer, campaign=campaign, call=call, crisis=crisis
    )


def record(s, grid_level, level, *, outcome=None, needs=(NEED,)):
    grid_level["level"] = level
    outcome = outcome or (Outcome.NEEDS_FOUND if needs else Outcome.REACHED_FINE)
    return calls.call_record_outcome(
        actor=s.volunteer,
        call=s.call,
        outcome=outcome,
        needs=needs if outcome == Outcome.NEEDS_FOUND else (),
        fragility_answers={"question": "réponse"},
        now=NOW,
    )


ORIENT = orientation.ORIENT_TASK
REFERRAL = orientation.REFERRAL_TASK

# level, in a crisis → follow-up calls (purpose, in the « same » campaign or the « standing » one,
# days until due), task titles (their beginning).
TABLE = [
    (1, False, [(CallPurpose.FRIENDLY, "standing", 30)], []),
    (1, True, [(CallPurpose.FRIENDLY, "standing", 30)], []),
    (2, False, [(CallPurpose.FRIENDLY, "standing", 7)], [ORIENT]),
    (2, True, [(CallPurpose.WATCH, "same", 1), (CallPurpose.FRIENDLY, "standing", 7)], [ORIENT]),
    (3, False, [(CallPurpose.FRIENDLY, "standing", 7)], [ORIENT, REFERRAL]),
    (3, True, [(CallPurpose.WATCH, "same", 1), (CallPurpose.FRIENDLY, "standing", 7)], [ORIENT, REFERRAL]),
    (4, False, [], []),
    (4, True, [], []),
]


@pytest.mark.parametrize(("level", "in_crisis", "expected_calls", "expected_tasks"), TABLE)
def test_each_level_creates_what_follows(grid_level, level, in_crisis, expected_calls, expected_tasks):
    s = scenario(in_crisis=in_crisis)
    call = record(s, grid_level, level)
    assert call.fragility_level == level
    created = Call.objects.filter(follows=call).select_related("campaign")
    got = sorted((c.purpose, "same" if c.campaign_id == s.campaign.pk else "standing", c.due_at) for c in created)
    assert got == sorted((p, where, at_nine(days)) for p, where, days in expected_calls)
    for follow in created:
        assert follow.assigned_to == s.volunteer and follow.status == CallStatus.ASSIGNED
        assert follow.campaign.callers.filter(pk=s.volunteer.pk).exists()
        if follow.campaign_id != s.campaign.pk:
            assert follow.campaign.standing and follow.campaign.crisis is None
            assert follow.campaign.status == CampaignStatus.OPEN
            assert follow.campaign.title == "Appels de suivi"
    tasks = FollowUpTask.objects.filter(person=call.person).order_by("pk")
    assert [t.title[: len(e)] for t, e in zip(tasks, expected_tasks, strict=False)] == expected_tasks
    assert tasks.count() == len(expected_tasks)
    for task in tasks:
        assert task.assignee == s.manager and task.organisation == s.organisation
        assert task.due_on == NOW.date() + datetime.timedelta(days=1)
    if ORIENT in expected_tasks:
        assert "se nourrir" in tasks.first().title
    if level == 4:
        assert Escalation.objects.filter(call=call, handled_at__isnull=True).exists()


def test_nothing_follows_a_call_not_reached_or_without_the_grid(grid_level):
    s = scenario(in_crisis=True)
    call = calls.call_record_outcome(actor=s.volunteer, call=s.call, outcome=Outcome.REFUSED, now=NOW)
    assert not Call.objects.filter(follows=call).exists()
    s2 = scenario(in_crisis=True)
    call2 = calls.call_record_outcome(actor=s2.volunteer, call=s2.call, outcome=Outcome.REACHED_FINE, now=NOW)
    assert not Call.objects.filter(follows=call2).exists()


def test_the_watch_call_appears_on_the_callers_list_the_next_morning(grid_level):
    s = scenario(in_crisis=True)
    record(s, grid_level, 2)
    watch = Call.objects.get(purpose=CallPurpose.WATCH)
    assert campaigns.next_call(caller=s.volunteer, campaign=s.campaign, now=NOW) is None
    assert (
        campaigns.next_call(caller=s.volunteer, campaign=s.campaign, now=at_nine(1) - datetime.timedelta(minutes=1))
        is None
    )
    assert campaigns.next_call(caller=s.volunteer, campaign=s.campaign, now=at_nine(1)) == watch
    assert watch in access.calls_assigned_to(s.volunteer, s.organisation)
    standing = CallCampaign.objects.get(standing=True)
    friendly = Call.objects.get(purpose=CallPurpose.FRIENDLY)
    assert campaigns.next_call(caller=s.volunteer, campaign=standing, now=at_nine(7)) == friendly


def test_a_watch_call_reached_plans_the_next_one_at_the_level_last_found_and_no_second_friendly_call(grid_level):
    s = scenario(in_crisis=True)
    record(s, grid_level, 3)
    watch = Call.objects.get(purpose=CallPurpose.WATCH)
    tomorrow = at_nine(1) + datetime.timedelta(hours=2)
    calls.call_record_outcome(actor=s.volunteer, call=watch, outcome=Outcome.REACHED_FINE, now=tomorrow)
    follow = Call.objects.get(follows=watch)
    assert follow.purpose == CallPurpose.WATCH and follow.due_at == at_nine(2)
    assert Call.objects.filter(purpose=CallPurpose.FRIENDLY).count() == 1
    assert FollowUpTask.objects.count() == 2  # the tasks are not written again on each watch call


def test_watch_calls_stop_when_the_crisis_ends_friendly_calls_go_on(grid_level):
    s = scenario(in_crisis=True)
    record(s, grid_level, 2)
    s.crisis.ended_at = NOW + datetime.timedelta(hours=1)
    s.crisis.save()
    campaigns.campaign_close(actor=s.manager, campaign=s.campaign)
    assert Call.objects.get(purpose=CallPurpose.WATCH).status == CallStatus.CANCELLED
    friendly = Call.objects.get(purpose=CallPurpose.FRIENDLY)
    assert friendly.is_open and friendly in access.calls_assigned_to(s.volunteer, s.organisation)


def test_watch_calls_of_an_ended_crisis_are_served_to_nobody_even_before_the_campaign_closes(grid_level):
    s = scenario(in_crisis=True)
    record(s, grid_level, 2)
    s.crisis.ended_at = NOW + datetime.timedelta(hours=1)
    s.crisis.save()
    assert not access.calls_assigned_to(s.volunteer, s.organisation).filter(purpose=CallPurpose.WATCH).exists()


@pytest.mark.parametrize("how", ["suspend", "remove"])
def test_follow_ups_stop_when_the_entry_is_suspended_or_removed(grid_level, how):
    s = scenario(in_crisis=True)
    call = record(s, grid_level, 2)
    assert Call.objects.filter(follows=call).count() == 2
    entry = call.entry
    if how == "suspend":
        entries.entry_suspend(actor=s.manager, organisation=s.organisation, entry=entry, reason="Séjour chez sa fille")
    else:
        entries.entry_remove(
            actor=s.manager, organisation=s.organisation, entry=entry, reason="", at_persons_request=True
        )
    assert not Call.objects.filter(follows=call).exclude(status=CallStatus.CANCELLED).exists()
    # A call still recorded for a suspended entry plans nothing.
    assert orientation.plan_follow_ups(call=call, actor=s.volunteer, now=NOW) == []


def test_an_outcome_in_hospital_suspends_and_plans_nothing(grid_level):
    s = scenario(in_crisis=True)
    call = calls.call_record_outcome(actor=s.volunteer, call=s.call, outcome=Outcome.IN_HOSPITAL, now=NOW)
    assert call.entry.status == EntryStatus.SUSPENDED
    assert not Call.objects.filter(follows=call).exists()


def test_level_3_task_names_the_clic_serving_the_persons_commune(grid_level):
    s = scenario(in_crisis=False)
    commune = s.call.person.addresses.get().commune
    clic = OrganisationFactory(kind=OrganisationKind.CLIC, name="CLIC du Val de test")
    clic.communes_served.add(commune)
    OrganisationFactory(kind=OrganisationKind.CLIC, name="CLIC d'ailleurs").communes_served.add(CommuneFactory())
    record(s, grid_level, 3)
    referral = FollowUpTask.objects.get(title__startswith=REFERRAL)
    assert referral.title.endswith("(CLIC du Val de test)")


def test_level_3_task_falls_back_to_the_dac_then_to_no_name(grid_level):
    s = scenario(in_crisis=False)
    dac = OrganisationFactory(kind=OrganisationKind.DAC, name="DAC de test")
    dac.communes_served.add(s.call.person.addresses.get().commune)
    record(s, grid_level, 3)
    assert FollowUpTask.objects.get(title__startswith=REFERRAL).title.endswith("(DAC de test)")
    s2 = scenario(in_crisis=False)
    record(s2, grid_level, 3)
    assert FollowUpTask.objects.get(person=s2.call.person, title__startswith=REFERRAL).title == REFERRAL


def test_no_register_manager_no_task_but_the_calls_are_planned(grid_level):
    s = scenario(in_crisis=False)
    s.manager.memberships.update(is_active=False)
    record(s, grid_level, 3)
    assert not FollowUpTask.objects.exists()
    assert Call.objects.filter(follows=s.call).count() == 1


def test_a_caller_who_may_no_longer_call_leaves_the_follow_up_in_the_pool(grid_level):
    s = scenario(in_crisis=True)
    grid_level["level"] = 2
    # The register manager types in the caller's paper sheet after the caller left the organisation.
    s.volunteer.memberships.update(is_active=False)
    calls.call_record_outcome(
        actor=s.manager,
        call=s.call,
        outcome=Outcome.REACHED_FINE,
        fragility_answers={"question": "réponse"},
        on_behalf_of=s.volunteer,
        now=NOW,
    )
    for follow in Call.objects.filter(follows=s.call):
        assert follow.assigned_to is None and follow.status == CallStatus.TO_DO


def test_a_sponsored_person_gets_the_friendly_call_from_the_sponsor(grid_level):
    s = scenario(in_crisis=False)
    sponsor = caller(s.organisation)
    SponsorshipFactory(entry=s.call.entry, volunteer=sponsor, started_on=NOW.date() - datetime.timedelta(days=30))
    record(s, grid_level, 2)
    friendly = Call.objects.get(follows=s.call, purpose=CallPurpose.FRIENDLY)
    assert friendly.assigned_to == sponsor
    assert friendly.due_at == at_nine(7)


def test_an_open_escalation_holds_the_follow_ups(grid_level):
    s = scenario(in_crisis=True)
    grid_level["level"] = 2
    call = calls.call_record_outcome(
        actor=s.volunteer,
        call=s.call,
        outcome=Outcome.REACHED_FINE,
        fragility_answers={"question": "réponse"},
        danger=True,
        now=NOW,
    )
    assert not Call.objects.filter(follows=call).exists()


def test_one_standing_campaign_per_organisation(grid_level):
    s = scenario(in_crisis=False)
    first = orientation.standing_campaign(s.organisation)
    assert orientation.standing_campaign(s.organisation) == first
    campaigns.campaign_close(actor=s.manager, campaign=first)
    second = orientation.standing_campaign(s.organisation)
    assert second != first and second.status == CampaignStatus.OPEN
    assert orientation.standing_campaign(OrganisationFactory()) != second
