"""Building a campaign, dispatching its calls and giving each caller their next call
(services.campaigns): sponsor first, then the caller who last spoke with the person, then a caller
who knows them, then the least loaded — within a fair share, in the person's language, among the
callers available today; the shared pool for what nobody can take."""

import datetime
import math

import pytest
from django.utils import timezone

from maillage.core.enums import Role
from maillage.register.enums import CallStatus, EntryStatus, Outcome
from maillage.register.models import Call, Sponsorship
from maillage.register.services import calls, campaigns, entries
from maillage.register.services.campaigns import FAIR_SHARE_SLACK, CampaignNotOpen, NotACaller
from tests.core.factories import MembershipFactory
from tests.register import calls_world as cw

pytestmark = pytest.mark.django_db


def _assigned(campaign):
    return dict(campaign.calls.values_list("entry_id", "assigned_to_id"))


def _earlier_reached_by(w, entry, user, outcome=Outcome.REACHED_FINE):
    """An earlier campaign in which `user` spoke with the person (or only tried to)."""
    campaign = cw.open_campaign(w, callers=[user], title="Campagne précédente")
    call = campaign.calls.get(entry=entry)
    calls.call_record_outcome(actor=user, call=call, outcome=outcome)
    campaigns.campaign_close(actor=w.manager, campaign=campaign)


# --- Who gets the call -------------------------------------------------------------------------------

PREFERENCES = [
    # (sponsor, last caller, knows) as indexes of callers (None: nobody), the caller expected
    ((None, None, None), "balance"),
    ((2, None, None), 2),
    ((None, 2, None), 2),
    ((None, None, 2), 2),
    ((2, 1, None), 2),  # the sponsor before the last caller
    ((None, 1, 2), 1),  # the last caller before a caller who knows the person
    ((2, 1, 0), 2),
]


@pytest.mark.parametrize(("links", "expected"), PREFERENCES, ids=str)
def test_dispatch_prefers_sponsor_then_last_caller_then_a_caller_who_knows(links, expected):
    w = cw.world(callers=3)
    sponsor, last, knows = (w.callers[i] if i is not None else None for i in links)
    entry = cw.entry(w, known_by_callers=[knows] if knows else [])
    if last:
        _earlier_reached_by(w, entry, last)
    if sponsor:
        Sponsorship.objects.create(organisation=w.organisation, entry=entry, volunteer=sponsor)
    # Other persons, so that balance alone would not pick the expected caller by chance.
    for _ in range(5):
        cw.entry(w)
    campaign = cw.open_campaign(w)
    assigned = _assigned(campaign)
    if expected == "balance":
        assert assigned[entry.pk] == w.callers[0].pk  # least loaded, then the lowest id: the first
    else:
        assert assigned[entry.pk] == w.callers[expected].pk


def test_a_try_not_answered_earlier_does_not_make_a_last_caller():
    w = cw.world(callers=3)
    entry = cw.entry(w)
    _earlier_reached_by(w, entry, w.callers[2], outcome=Outcome.UNREACHABLE)
    assert _assigned(cw.open_campaign(w))[entry.pk] == w.callers[0].pk


def test_dispatch_balances_the_load_and_caps_a_preferred_caller_at_a_fair_share():
    w = cw.world(callers=3)
    for _ in range(12):
        cw.entry(w, known_by_callers=[w.callers[0]])  # everyone knows the first caller
    campaign = cw.open_campaign(w)
    loads = sorted(cw_count(campaign, u) for u in w.callers)
    cap = math.ceil(12 / 3 * FAIR_SHARE_SLACK)
    assert sum(loads) == 12 and max(loads) <= cap
    assert campaign.calls.filter(assigned_to=w.callers[0]).count() == cap
    # Without preferences the load is even.
    w2 = cw.world(callers=3)
    for _ in range(10):
        cw.entry(w2)
    loads = [cw_count(cw.open_campaign(w2), u) for u in w2.callers]
    assert sorted(loads) == [3, 3, 4]


def cw_count(campaign, user):
    return campaign.calls.filter(assigned_to=user).count()


def test_a_second_dispatch_counts_the_calls_already_given():
    w = cw.world(callers=2)
    for _ in range(6):
        cw.entry(w)
    campaign = cw.open_campaign(w, callers=w.callers[:1])
    assert cw_count(campaign, w.callers[0]) == 6
    newcomer = cw.caller(w.organisation)
    campaigns.campaign_set_callers(actor=w.manager, campaign=campaign, callers=[w.callers[0], newcomer])
    # Six more calls (entries registered after the campaign was built, added by hand here): they go
    # to the newcomer, whose load is lighter, not three and three.
    for _ in range(6):
        entry = cw.entry(w)
        Call.objects.create(campaign=campaign, entry=entry, person=entry.person, purpose="evaluation")
    report = campaigns.dispatch(campaign)
    assert report.assigned == 6
    assert (cw_count(campaign, w.callers[0]), cw_count(campaign, newcomer)) == (6, 6)


# --- Languages and availability (the volunteers' profiles) ------------------------------------------


def test_a_call_in_arabic_goes_only_to_a_caller_who_speaks_it(monkeypatch):
    w = cw.world(callers=3)
    cw.FakeVolunteers(languages={w.callers[2]: ["ar"]}).install(monkeypatch)
    arabic = [cw.entry(w, language="ar") for _ in range(3)]
    french = [cw.entry(w) for _ in range(3)]
    # Even a caller who knows the person does not get it if they do not speak the language.
    arabic[0].known_by_callers.add(w.callers[0])
    assigned = _assigned(cw.open_campaign(w))
    assert {assigned[e.pk] for e in arabic} == {w.callers[2].pk}
    assert all(assigned[e.pk] for e in french)


def test_with_no_speaker_the_call_stays_in_the_pool_and_is_given_to_no_one(monkeypatch):
    w = cw.world(callers=2)
    cw.FakeVolunteers(languages={w.callers[1]: ["tr"]}).install(monkeypatch)
    arabic = cw.entry(w, language="ar")
    cw.entry(w)
    campaign = cw.open_campaign(w)
    call = campaign.calls.get(entry=arabic)
    assert (call.status, call.assigned_to) == (CallStatus.TO_DO, None)
    for caller in w.callers:
        while (taken := campaigns.next_call(caller=caller, campaign=campaign)) is not None:
            calls.call_record_outcome(actor=caller, call=taken, outcome=Outcome.REACHED_FINE)
    assert Call.objects.get(pk=call.pk).assigned_to is None
    # A caller who speaks it joins: the pool gives it to them.
    speaker = cw.caller(w.organisation)
    cw.FakeVolunteers(languages={speaker: ["ar"]}).install(monkeypatch)
    campaigns.campaign_set_callers(actor=w.manager, campaign=campaign, callers=[*w.callers, speaker])
    assert campaigns.next_call(caller=speaker, campaign=campaign) == call


def test_unavailable_callers_get_nothing_while_available_ones_exist(monkeypatch):
    w = cw.world(callers=3)
    cw.FakeVolunteers(unavailable=[w.callers[0]]).install(monkeypatch)
    entry = cw.entry(w, known_by_callers=[w.callers[0]])
    for _ in range(5):
        cw.entry(w)
    campaign = cw.open_campaign(w)
    assert cw_count(campaign, w.callers[0]) == 0
    assert _assigned(campaign)[entry.pk] != w.callers[0].pk
    # Nobody available: the work still goes out rather than waiting.
    w2 = cw.world(callers=2)
    cw.FakeVolunteers(unavailable=w2.callers).install(monkeypatch)
    cw.entry(w2)
    assert cw.open_campaign(w2).calls.get().assigned_to in w2.callers


def test_callers_who_may_not_take_calls_get_nothing():
    w = cw.world(callers=2)
    cw.entry(w)
    campaign = campaigns.campaign_create(actor=w.manager, organisation=w.organisation, title="T", callers=w.callers)
    w.callers[0].memberships.update(is_active=False)
    campaigns.campaign_open(actor=w.manager, campaign=campaign)
    assert campaign.calls.get().assigned_to == w.callers[1]


# --- What a campaign holds ------------------------------------------------------------------------------


def test_suspended_removed_and_pending_entries_get_no_call_in_a_new_campaign():
    from maillage.register.enums import EntrySource

    w = cw.world(callers=1)
    active = cw.entry(w)
    suspended = cw.entry(w)
    entries.entry_suspend(actor=w.manager, organisation=w.organisation, entry=suspended, reason="Vacances")
    removed = cw.entry(w)
    entries.entry_remove(
        actor=w.manager, organisation=w.organisation, entry=removed, reason="", at_persons_request=True
    )
    pending = cw.entry(w, source=EntrySource.THIRD_PARTY)
    assert pending.status == EntryStatus.PENDING_CONSENT
    campaign = cw.open_campaign(w)
    assert list(campaign.calls.values_list("entry", flat=True)) == [active.pk]


# --- The caller's next call ------------------------------------------------------------------------------


def test_next_call_gives_own_due_calls_first_then_the_pool_then_none():
    w = cw.world(callers=2)
    for _ in range(2):
        cw.entry(w)
    campaign = campaigns.campaign_create(
        actor=w.manager, organisation=w.organisation, title="T", callers=w.callers[:1]
    )
    campaigns.campaign_open(actor=w.manager, campaign=campaign)  # both calls to the first caller
    campaigns.campaign_set_callers(actor=w.manager, campaign=campaign, callers=w.callers)
    late = cw.entry(w)  # registered after the dispatch: its call waits in the shared pool
    pooled = Call.objects.create(campaign=campaign, entry=late, person=late.person, purpose="evaluation")
    first, second = w.callers
    own = list(campaign.calls.filter(assigned_to=first).order_by("due_at", "pk"))
    assert campaigns.next_call(caller=first, campaign=campaign) == own[0]
    calls.call_record_outcome(actor=first, call=own[0], outcome=Outcome.REACHED_FINE)
    assert campaigns.next_call(caller=first, campaign=campaign) == own[1]
    # The second caller has none of their own: the pool.
    taken = campaigns.next_call(caller=second, campaign=campaign)
    assert taken == pooled and (taken.assigned_to, taken.status) == (second, CallStatus.ASSIGNED)
    assert campaigns.next_call(caller=second, campaign=campaign) == pooled  # still theirs, not a new one
    calls.call_record_outcome(actor=second, call=taken, outcome=Outcome.REACHED_FINE)
    assert campaigns.next_call(caller=second, campaign=campaign) is None


def test_a_retry_not_yet_due_is_not_given():
    w = cw.world(callers=1)
    cw.entry(w)
    campaign = cw.open_campaign(w)
    call = campaign.calls.get()
    now = timezone.now()
    calls.call_record_outcome(actor=w.callers[0], call=call, outcome=Outcome.NOT_REACHED, now=now)
    assert (
        campaigns.next_call(caller=w.callers[0], campaign=campaign, now=now + datetime.timedelta(minutes=59)) is None
    )
    assert (
        campaigns.next_call(caller=w.callers[0], campaign=campaign, now=now + datetime.timedelta(minutes=60)) == call
    )


NOT_GIVEN = [
    ("not_in_campaign", NotACaller, "ne faites pas partie"),
    ("other_organisation", NotACaller, "ne pouvez pas prendre"),
    ("ended_membership", NotACaller, "ne pouvez pas prendre"),
    ("draft", CampaignNotOpen, "pas encore ouverte"),
    ("closed", CampaignNotOpen, "terminée"),
    ("crisis_ended", CampaignNotOpen, "crise"),
]


@pytest.mark.parametrize(("case", "error", "message"), NOT_GIVEN, ids=[c[0] for c in NOT_GIVEN])
def test_next_call_is_refused(case, error, message):
    w = cw.world(callers=2)
    cw.entry(w)
    crisis = cw.crisis(w)
    campaign = campaigns.campaign_create(
        actor=w.manager, organisation=w.organisation, title="T", callers=w.callers[:1], crisis=crisis
    )
    caller = w.callers[0]
    if case != "draft":
        campaigns.campaign_open(actor=w.manager, campaign=campaign)
    if case == "not_in_campaign":
        caller = w.callers[1]
    elif case == "other_organisation":
        caller = MembershipFactory(role=Role.VOLUNTEER).user
    elif case == "ended_membership":
        caller.memberships.update(is_active=False)
    elif case == "closed":
        campaigns.campaign_close(actor=w.manager, campaign=campaign)
    elif case == "crisis_ended":
        crisis.ended_at = timezone.now()
        crisis.save()
    campaign.refresh_from_db()
    before = list(Call.objects.values_list("pk", "status", "assigned_to"))
    with pytest.raises(error, match=message):
        campaigns.next_call(caller=caller, campaign=campaign)
    assert list(Call.objects.values_list("pk", "status", "assigned_to")) == before


def test_opening_a_large_campaign_refreshes_the_calls_statistics_on_postgresql(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Without it PostgreSQL plans `next_call` as if the campaign had no calls, until autovacuum."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maillage.register.services import campaigns as campaign_services

    monkeypatch.setattr(campaign_services, "ANALYZE_FROM_CALLS", 2)
    w = cw.world(callers=1)
    for _ in range(2):
        cw.entry(w)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        campaign = cw.open_campaign(w)
    analyzed = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    assert campaign.calls.count() == 2
    assert analyzed == (['ANALYZE "register_call"'] if connection.vendor == "postgresql" else [])
