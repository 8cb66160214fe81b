"""The caller's panel of the dashboard (core.dashboard): the charter to sign before any call, or what
the caller said of their availability and languages. Shown to a volunteer, and to an agent the
register manager put on the callers' list."""

from maillage.core import access
from maillage.core.dashboard import register_panel
from maillage.core.enums import Role


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


def register_dashboard_panels() -> None:
    """Register this app's panels; VolunteersConfig.ready() calls it at start-up (idempotent)."""
    register_panel("caller", "volunteers/dashboard/_caller.html", caller_panel, order=5)
