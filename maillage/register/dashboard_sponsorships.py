"""The dashboard's sponsorship panel: for the register manager, how many sponsorships run and the
link to them; for a volunteer, how many persons they sponsor and the link to « Mes parrainages »
(counts only: no name on the dashboard)."""

from maillage.core import access
from maillage.core.dashboard import register_panel
from maillage.core.enums import Role


def sponsorship_panel(request):
    user, organisation = request.user, request.organisation
    if access.can_manage_register(user, organisation):
        count = access.sponsorships_visible_to(user, organisation).filter(ended_on__isnull=True).count()
        return {"manager": True, "count": count}
    if access.role_in(user, organisation) == Role.VOLUNTEER:
        return {"manager": False, "count": access.sponsorships_of_volunteer(user, organisation).count()}
    return None


def register_dashboard_panels() -> None:
    register_panel("sponsorships", "register/sponsorships/_panel.html", sponsorship_panel, order=60)
