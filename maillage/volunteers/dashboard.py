"""The caller's panel of the dashboard (core.dashboard): the charter to sign before any call, or what
the caller said of their availability and languages. Shown to a volunteer, and to an agent the
register manager put on the callers' list."""

from maillage.core import access
from maillage.core.dashboard import register_panel
from maillage.core.enums import Role
from maillage.volunteers import charter


def caller_panel(request):
    user, organisation = request.user, request.organisation
    if not access.can_be_caller(user, organisation):
        return None
    profile = access.own_caller_profile(user, organisation)
    if profile is None and access.role_in(user, organisation) != Role.VOLUNTEER:
        return None
    return {
        "profile": profile,
        "inactive": profile is not None and not profile.is_active,
        "signed": profile is not None and profile.has_signed_current_charter,
        "outdated": profile is not None and profile.charter_signed_at is not None,
    }


def _count(count: int, noun: str) -> str:
    """« aucun·e appelant·e », « 1 appelant·e », « 3 appelant·es »."""
    if count == 0:
        return f"aucun·e {noun}"
    return f"{count} {noun}{'s' if count > 1 else ''}"


def caller_manager_panel(request):
    """For the register manager: how many callers are on the list, and how many may take calls now
    (charter in force signed). Counts only: names are on the callers' page."""
    user, organisation = request.user, request.organisation
    if not access.can_manage_callers(user, organisation):
        return None
    on_list = access.caller_profiles_visible_to(user, organisation).filter(is_active=True)
    total = on_list.count()
    signed = on_list.filter(charter_signed_at__isnull=False, charter_version=charter.VERSION).count()
    return {
        "on_list": _count(total, "appelant·e"),
        "unsigned": total - signed,
        "unsigned_text": _count(total - signed, "appelant·e"),
    }


def register_dashboard_panels() -> None:
    """Register this app's panels; VolunteersConfig.ready() calls it at start-up (idempotent)."""
    register_panel("caller", "volunteers/dashboard/_caller.html", caller_panel, order=5)
    register_panel("caller_manager", "volunteers/dashboard/_caller_manager.html", caller_manager_panel, order=6)
