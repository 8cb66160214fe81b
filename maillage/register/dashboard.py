"""The caller's dashboard panel (core.dashboard): « Vos appels du jour », per open campaign the calls
due now and the next call's button. Counts only, no names: no trail line."""

from maillage.core import access
from maillage.core.dashboard import register_panel
from maillage.core.enums import Role
from maillage.register import selectors_campaigns


def caller_panel(request):
    """For a volunteer always; for an agent while an open campaign counts them among its callers."""
    user, organisation = request.user, request.organisation
    if not access.may_take_calls(user, organisation):
        return None
    campaigns = selectors_campaigns.caller_campaigns(user, organisation)
    if not campaigns and access.role_in(user, organisation) != Role.VOLUNTEER:
        return None
    rows = [
        {
            "campaign": campaign,
            "due": selectors_campaigns.due_calls(user, organisation, campaign).count(),
            "pool": selectors_campaigns.pool_count(campaign),
        }
        for campaign in campaigns
    ]
    return {"rows": rows}


def register_dashboard_panels() -> None:
    """RegisterConfig.ready() calls it at start-up (idempotent)."""
    register_panel("calls_of_the_day", "register/calls/_dashboard.html", caller_panel, order=4)
