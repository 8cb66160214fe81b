import datetime
from zoneinfo import ZoneInfo

import pytest

from maillage.core.enums import Role
from maillage.volunteers.selectors import callers_for, is_available_at
from tests.core.factories import OrganisationFactory
from tests.volunteers.factories import AvailabilitySlotFactory, make_caller

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC
T = datetime.time


def test_callers_for_lists_only_those_who_may_take_calls_with_slots_prefetched(django_assert_num_queries):
    organisation = OrganisationFactory()
    volunteer = make_caller(organisation=organisation, languages=["ar"])
    agent = make_caller(organisation=organisation, role=Role.RECEPTION_AGENT)
    make_caller(organisation=organisation, signed=False)
    make_caller(organisation=organisation, is_active=False)
    make_caller(organisation=organisation, role=Role.PARTNER)
    make_caller()  # another organisation
    AvailabilitySlotFactory(profile=volunteer, weekday=0)
    AvailabilitySlotFactory(profile=volunteer, weekday=2)
    with django_assert_num_queries(2):  # the profiles with their accounts, then every slot at once
        callers = list(callers_for(organisation))
        summary = {p.pk: (p.user.email, p.languages, len(p.slots.all())) for p in callers}
    assert set(summary) == {volunteer.pk, agent.pk}
    assert summary[volunteer.pk][1:] == (["ar"], 2)


def test_callers_for_counts_a_member_once():
    profile = make_caller()
    assert callers_for(profile.organisation).count() == 1


@pytest.mark.parametrize(
    ("when", "available"),
    [
        # Tuesday 1 December 2026 (winter: UTC+1). Slot: Tuesday 9 h – 12 h, Paris time.
        (datetime.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS), True),  # start included
        (datetime.datetime(2026, 12, 1, 11, 59, tzinfo=PARIS), True),
        (datetime.datetime(2026, 12, 1, 12, 0, tzinfo=PARIS), False),  # end excluded
        (datetime.datetime(2026, 12, 1, 8, 59, tzinfo=PARIS), False),
        (datetime.datetime(2026, 12, 2, 10, 0, tzinfo=PARIS), False),  # Wednesday
        # 8 h 30 UTC is 9 h 30 in Paris in winter…
        (datetime.datetime(2026, 12, 1, 8, 30, tzinfo=UTC), True),
        # …and 7 h 30 UTC is 8 h 30: before the slot.
        (datetime.datetime(2026, 12, 1, 7, 30, tzinfo=UTC), False),
        # Summer (UTC+2): Tuesday 7 July 2026, 7 h 30 UTC is 9 h 30 in Paris.
        (datetime.datetime(2026, 7, 7, 7, 30, tzinfo=UTC), True),
        # Monday 23 h 30 UTC is already Tuesday 0 h 30 in Paris: not in the slot, and not Monday's.
        (datetime.datetime(2026, 11, 30, 23, 30, tzinfo=UTC), False),
    ],
)
def test_is_available_at_reads_the_slots_on_the_paris_clock(when, available):
    profile = make_caller()
    AvailabilitySlotFactory(profile=profile, weekday=1, start=T(9), end=T(12))
    AvailabilitySlotFactory(profile=profile, weekday=0, start=T(14), end=T(16))
    assert is_available_at(profile, when) is available


def test_caller_without_slots_is_available_at_any_time():
    profile = make_caller()
    assert is_available_at(profile, datetime.datetime(2026, 12, 6, 3, 0, tzinfo=UTC))


def test_is_available_at_refuses_a_naive_datetime():
    profile = make_caller()
    with pytest.raises(ValueError, match="fuseau"):
        is_available_at(profile, datetime.datetime(2026, 12, 1, 10, 0))  # noqa: DTZ001
