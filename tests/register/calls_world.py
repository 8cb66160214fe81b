"""Builders for the tests of the call services and the caller API: a register manager, callers,
active entries, a campaign opened and dispatched; and the callers' languages and availability set
in their profiles (`FakeVolunteers`).

Not a test module. (Named apart from `factories.py`, which the register's pages may add.)"""

import datetime
from dataclasses import dataclass, field

from maillage.casework.fragility import DEFAULT_GRID
from maillage.core.enums import Role
from tests.core.factories import OrganisationFactory
from tests.people.factories import PersonFactory
from tests.register.factories import open_call_campaign, register_manager, register_through_services
from tests.volunteers.factories import CallerProfileFactory, make_caller


@dataclass
class World:
    organisation: object
    manager: object
    callers: list = field(default_factory=list)


def world(callers: int = 2, role=Role.VOLUNTEER) -> World:
    organisation = OrganisationFactory()
    manager = register_manager(organisation).user
    return World(organisation, manager, [caller(organisation, role) for _ in range(callers)])


def caller(organisation, role=Role.VOLUNTEER):
    """A member who may take calls (the charter signed), French only."""
    return make_caller(organisation=organisation, role=role, languages=[]).user


def may_call(user, organisation):
    """Taking calls needs a caller profile with the charter signed (French only: no other language)."""
    CallerProfileFactory(user=user, organisation=organisation, signed=True, languages=[])


def entry(w: World, **data):
    return register_through_services(w.manager, w.organisation, PersonFactory(organisation=w.organisation), **data)


def open_campaign(w: World, callers=None, **kwargs):
    return open_call_campaign(w.manager, w.organisation, w.callers if callers is None else callers, **kwargs)


def grid_answers(**overrides) -> dict:
    """Every question of the default phone grid answered with its first (quietest) answer."""
    return {**{q.key: q.options[0].key for q in DEFAULT_GRID.questions}, **overrides}


class FakeVolunteers:
    """Gives the callers' real profiles (`maillage.volunteers`) the languages and availability a test
    needs: `languages` maps a user to the language codes they speak besides French; an
    `unavailable` caller gets one slot on another day than today, so that they are not available
    now."""

    def __init__(self, languages=None, unavailable=()):
        self.languages = languages or {}  # user -> ["ar", …]
        self.unavailable = list(unavailable)

    def install(self, monkeypatch=None):
        from django.utils import timezone

        from maillage.volunteers.models import AvailabilitySlot, CallerProfile

        for user, codes in self.languages.items():
            CallerProfile.objects.filter(user=user).update(languages=list(codes))
        other_day = (timezone.localtime().weekday() + 3) % 7
        for user in self.unavailable:
            for profile in CallerProfile.objects.filter(user=user):
                profile.slots.all().delete()
                AvailabilitySlot.objects.create(
                    profile=profile, weekday=other_day, start=datetime.time(9), end=datetime.time(10)
                )
        return self


def crisis(w: World, **kwargs):
    from maillage.register.enums import CrisisKind
    from maillage.register.models import Crisis

    return Crisis.objects.create(
        organisation=w.organisation, kind=CrisisKind.HEATWAVE, activated_by=w.manager, **kwargs
    )
