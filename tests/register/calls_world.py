"""Builders for the tests of the call services and the caller API: a register manager, callers,
active entries, a campaign opened and dispatched; and a stand-in for the volunteers module (their
languages and availability), which is not on main yet.

Not a test module. (Named apart from `factories.py`, which the register's pages may add.)"""

import sys
import types
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
    """Stands for `maillage.volunteers.selectors` (helper `vol`'s module) with the interface
    `campaigns.caller_infos` uses: `callers_for(organisation)` giving profiles with `user_id` and
    `languages`, and `is_available_at(profile, when)`."""

    def __init__(self, languages=None, unavailable=()):
        self.languages = languages or {}  # user pk -> ["ar", …]
        self.unavailable = {u.pk for u in unavailable}

    def callers_for(self, organisation):
        from maillage.core.models import Membership

        user_ids = Membership.objects.filter(organisation=organisation).values_list("user_id", flat=True)
        return [types.SimpleNamespace(user_id=pk, languages=self._codes(pk)) for pk in user_ids]

    def _codes(self, pk):
        return [code for user, codes in self.languages.items() if user.pk == pk for code in codes]

    def is_available_at(self, profile, when):
        return profile.user_id not in self.unavailable

    def install(self, monkeypatch):
        package = types.ModuleType("maillage.volunteers")
        selectors = types.ModuleType("maillage.volunteers.selectors")
        selectors.callers_for = self.callers_for
        selectors.is_available_at = self.is_available_at
        package.selectors = selectors
        monkeypatch.setitem(sys.modules, "maillage.volunteers", package)
        monkeypatch.setitem(sys.modules, "maillage.volunteers.selectors", selectors)
        return self


def crisis(w: World, **kwargs):
    from maillage.register.enums import CrisisKind
    from maillage.register.models import Crisis

    return Crisis.objects.create(
        organisation=w.organisation, kind=CrisisKind.HEATWAVE, activated_by=w.manager, **kwargs
    )
