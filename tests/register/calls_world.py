"""Builders for the tests of the call services and the caller API: a register manager, callers,
active entries, a campaign opened and dispatched; and the callers' languages and availability set
in their profiles (`FakeVolunteers`).

Not a test module. (Named apart from `factories.py`, which the register's pages may add.)"""

import datetime
from dataclasses import dataclass, field

from maillage.casework.fragility import DEFAULT_GRID
from maillage.core.enums import Role
from maillage.people.enums import ConsentChannel
from maillage.register.enums import EntrySource, LegalCategory
from maillage.register.services import campaigns, entries
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.people.factories import PersonFactory


@dataclass
class World:
    organisation: object
    manager: object
    callers: list = field(default_factory=list)


def world(callers: int = 2, role=Role.VOLUNTEER) -> World:
    organisation = OrganisationFactory()
    manager = MembershipFactory(organisation=organisation, role=Role.REGISTER_MANAGER).user
    return World(organisation, manager, [caller(organisation, role) for _ in range(callers)])


def caller(organisation, role=Role.VOLUNTEER):
    user = MembershipFactory(organisation=organisation, role=role).user
    may_call(user, organisation)
    return user


def may_call(user, organisation):
    """Once the volunteers module is there, taking calls needs a caller profile with the charter
    signed (French only: no other language); before it, the role is enough."""
    try:
        from tests.volunteers.factories import CallerProfileFactory
    except ImportError:
        return
    CallerProfileFactory(user=user, organisation=organisation, signed=True, languages=[])


def entry(w: World, **data):
    person = PersonFactory(organisation=w.organisation)
    known_by = data.pop("known_by_callers", ())
    return entries.entry_register(
        actor=w.manager,
        organisation=w.organisation,
        person=person,
        data={"source": EntrySource.SELF, "legal_category": LegalCategory.AGED_65, **data},
        consent_channel=ConsentChannel.ORAL,
        known_by_callers=known_by,
    )


def open_campaign(w: World, callers=None, **kwargs):
    campaign = campaigns.campaign_create(
        actor=w.manager,
        organisation=w.organisation,
        title=kwargs.pop("title", "Canicule de juillet"),
        callers=w.callers if callers is None else callers,
        **kwargs,
    )
    return campaigns.campaign_open(actor=w.manager, campaign=campaign)


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
