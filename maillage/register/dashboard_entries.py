"""The register manager's panel of the dashboard (core.dashboard): what waits in the register —
consents to record, entries to confirm this year, possible duplicates — as counts with their links
(no list of persons: nothing opened, nothing to write in the trail)."""

from maillage.core import access
from maillage.core.dashboard import register_panel
from maillage.register.selectors import entries as selectors


def register_manager_panel(request):
    user, organisation = request.user, getattr(request, "organisation", None)
    if not access.can_manage_register(user, organisation):
        return None
    return {"counts": selectors.entry_counts(actor=user, organisation=organisation)}


def register_dashboard_panels() -> None:
    register_panel("register_manager", "register/dashboard/_register_manager.html", register_manager_panel, order=15)
