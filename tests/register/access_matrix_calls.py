"""The callers' API rows of the access matrix (tests/core/test_access_matrix.py).

The role under test is the newest membership of the own organisation when the row's kwargs run (the
matrix creates it just before): the campaign counts every member with a calling role among its
callers, and the call is assigned to the role under test when it may take calls. Every other role,
and everyone on the other organisation's campaign or call, gets 404. Not a test module itself."""

from maillage.core.access.volunteers import CALLER_ROLES
from maillage.core.models import Membership
from maillage.register.enums import CallStatus, CampaignStatus
from maillage.register.models import Call, CallCampaign
from tests.register import calls_world as cw

JSON_API = {"register_api:next_call", "register_api:call_outcome"}


def _campaign(organisation):
    members = Membership.objects.filter(organisation=organisation, role__in=CALLER_ROLES, is_active=True)
    for member in members:
        cw.may_call(member.user, organisation)
    campaign = CallCampaign.objects.create(organisation=organisation, title="Matrice", status=CampaignStatus.OPEN)
    campaign.callers.set([m.user for m in members])
    return campaign


def _call(organisation_attr):
    def make(world):
        organisation = getattr(world, organisation_attr)
        newest = Membership.objects.filter(organisation=organisation).latest("pk")
        campaign = _campaign(organisation)
        manager = Membership.objects.filter(organisation=organisation, role="register_manager").first()
        w = cw.World(organisation, manager.user if manager else cw.caller(organisation, "register_manager"))
        entry = cw.entry(w)
        assigned = newest.user if newest.role in CALLER_ROLES else world.own_colleague.user
        call = Call.objects.create(
            campaign=campaign,
            entry=entry,
            person=entry.person,
            purpose=campaign.purpose,
            status=CallStatus.ASSIGNED,
            assigned_to=assigned,
        )
        return {"pk": call.pk}

    return make


def _next_call(organisation_attr):
    def make(world):
        return {"pk": _campaign(getattr(world, organisation_attr)).pk}

    return make


def register_api_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case(
            "register_api:next_call",
            kwargs=_next_call("own"),
            other_kwargs=_next_call("other"),
            allowed=CALLER_ROLES,
            method="post",
            allowed_status=(204,),  # a campaign without calls: nothing to call
        ),
        Case(
            "register_api:call_outcome",
            kwargs=_call("own"),
            other_kwargs=_call("other"),
            allowed=CALLER_ROLES,
            method="post",
            data={"outcome": "reached_fine", "version": 1},
            content_type="application/json",
        ),
    ]
