"""The crises' panel of the dashboard (core.dashboard): for the register manager, the crises in
progress with their calls' counts, and the open alerts — they « stay on the dashboard until someone
handles them » (issue 13). For the director, the crises in progress with their counts, no alert
(alerts name persons). Alerts shown are an opening of those persons' data: one trail line, how many."""

from maillage.core import access, audit
from maillage.core.dashboard import register_panel
from maillage.people.models import Person
from maillage.register import crises_selectors as selectors

ALERTS_SHOWN = 10


def crisis_panel(request):
    user, organisation = request.user, request.organisation
    if not access.can_view_crisis_dashboard(user, organisation):
        return None
    crises = list(selectors.sorted_crises(access.crises_readable_by(user, organisation).in_progress()))
    summaries = selectors.crisis_summaries(crises)
    is_manager = access.can_manage_register(user, organisation)
    alerts, alerts_count = [], 0
    if is_manager:
        open_alerts = selectors.open_escalations(access.escalations_visible_to(user, organisation))
        alerts = list(open_alerts[:ALERTS_SHOWN])
        alerts_count = len(alerts) if len(alerts) < ALERTS_SHOWN else open_alerts.count()
        if alerts:
            shown = len({a.entry.person_id for a in alerts})
            audit.record_search(
                request,
                Person,
                what=f"Tableau de bord, alertes du registre : {audit.shown_count(shown)}",
                access_path="",
            )
    if not crises and not is_manager:
        return None
    return {
        "crises": [{"crisis": c, "counts": summaries[c.pk]} for c in crises],
        "is_manager": is_manager,
        "alerts": alerts,
        "alerts_count": alerts_count,
        "alerts_more": alerts_count - len(alerts),
    }


def register_crisis_panels() -> None:
    """Register the crises' panel; RegisterConfig.ready() calls it at start-up (idempotent)."""
    register_panel("crises", "register/crises/dashboard/_panel.html", crisis_panel, order=15)
