"""The casework panels of the dashboard (core.dashboard): the coordinator's morning, the files
shared with a professional, the director's counts. Each is a small function over
`casework.selectors.dashboard` and one include in `casework/templates/casework/dashboard/`.

Lists of persons are openings of their data: each panel that shows some writes one trail line with
how many it shows (as « Mes suivis »), never their names."""

from django.utils import timezone

from maillage.casework.selectors import dashboard as selectors
from maillage.core import access, audit
from maillage.core.dashboard import register_panel
from maillage.core.enums import Role
from maillage.people.models import Person


def coordinator_panel(request):
    """Caseload, tasks due (overdue, today, the week), plans to review: for a coordinator."""
    user, organisation = request.user, request.organisation
    if access.role_in(user, organisation) != Role.COORDINATOR:
        return None
    caseload, caseload_count = selectors.caseload_preview(actor=user, organisation=organisation)
    tasks = selectors.tasks_due(actor=user, organisation=organisation)
    plans = list(selectors.plans_to_review(actor=user, organisation=organisation))
    shown = {p.pk for p in caseload} | tasks.persons() | {plan.person_id for plan in plans}
    if shown:
        audit.record_search(
            request, Person, what=f"Tableau de bord, coordination : {audit.shown_count(len(shown))}", access_path=""
        )
    return {
        "caseload": caseload,
        "caseload_count": caseload_count,
        "caseload_more": caseload_count - len(caseload),
        "tasks": tasks,
        "plans": plans,
        "review_window_days": selectors.REVIEW_WINDOW_DAYS,
        "today": timezone.localdate(),
    }


def shared_with_me_panel(request):
    """« Dossiers partagés avec moi »: for every professional placed in the care team of another
    organisation's person; shown only when there is one (here or for another organisation)."""
    user, organisation = request.user, request.organisation
    if access.role_in(user, organisation) not in access.CARE_TEAM_ROLES:
        return None
    places = list(selectors.shared_with_me(actor=user, organisation=organisation))
    elsewhere = selectors.shared_elsewhere_count(
        actor=user, organisation=organisation, memberships=getattr(request, "memberships", [])
    )
    if not places and not elsewhere:
        return None
    if places:
        audit.record_search(
            request,
            Person,
            what=f"Tableau de bord, dossiers partagés avec moi : {audit.shown_count(len(places))}",
            access_path="care_team",
        )
    return {"places": places, "elsewhere": elsewhere}


def director_panel(request):
    """The organisation's counts, for its director: numbers, no list of persons."""
    user, organisation = request.user, request.organisation
    if access.role_in(user, organisation) != Role.DIRECTOR:
        return None
    counts = selectors.organisation_counts(actor=user, organisation=organisation)
    if counts is None:
        return None
    plans_label = f"Plans à réviser (révision passée ou dans les {selectors.REVIEW_WINDOW_DAYS} jours)"
    return {"counts": counts, "plans_label": plans_label}


def register_dashboard_panels() -> None:
    """Register this app's panels; CaseworkConfig.ready() calls it at start-up (idempotent)."""
    register_panel("coordinator", "casework/dashboard/_coordinator.html", coordinator_panel, order=20)
    register_panel("shared_with_me", "casework/dashboard/_shared_with_me.html", shared_with_me_panel, order=30)
    register_panel("director", "casework/dashboard/_director.html", director_panel, order=40)
