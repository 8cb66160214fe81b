from django.conf import settings
from django.urls import reverse

from maillage.core import access


def shell(request):
    """What the page shell needs: the current organisation, the user's memberships for the
    switcher, and the navigation the user's role allows."""
    user = getattr(request, "user", None)
    organisation = getattr(request, "organisation", None)
    nav = []
    if user is not None and user.is_authenticated and user.is_verified():
        nav.append({"label": "Tableau de bord", "url": reverse("core:dashboard")})
        nav.append({"label": "Annuaire", "url": reverse("directory:search")})
        if organisation is not None:
            nav.append({"label": "Ma structure", "url": reverse("core:organisation_detail", args=[organisation.pk])})
            if access.can_view_members(user, organisation):
                nav.append({"label": "Membres", "url": reverse("core:member_list", args=[organisation.pk])})
            if access.can_view_audit_log(user, organisation):
                nav.append({"label": "Journal d'audit", "url": reverse("core:audit_log")})
    for item in nav:
        item["current"] = request.path == item["url"] or (
            item["url"] != "/" and request.path.startswith(item["url"]) and item["label"] != "Tableau de bord"
        )
    return {
        "site_name": settings.MAILLAGE_SITE_NAME,
        "shell_nav": nav,
        "shell_organisation": organisation,
        "shell_membership": getattr(request, "membership", None),
        "shell_memberships": getattr(request, "memberships", []),
        "maillage_env": settings.MAILLAGE_ENV,
    }
