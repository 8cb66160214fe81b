from django.conf import settings
from django.urls import reverse

from maillage.core import access
from maillage.core.enums import Role


def shell(request):
    """What the page shell needs: the current organisation, the user's memberships for the
    switcher, and the navigation the user's role allows."""
    user = getattr(request, "user", None)
    organisation = getattr(request, "organisation", None)
    membership = getattr(request, "membership", None)
    nav = []
    if user is not None and user.is_authenticated and user.is_verified():
        # The role of the current membership, already loaded by the middleware: no query per item.
        role = Role(membership.role) if membership is not None else None

        def allowed(perm):
            return role is not None and role in access.ROLE_PERMISSIONS[perm]

        nav.append({"label": "Tableau de bord", "url": reverse("core:dashboard")})
        if allowed(access.Perm.CHANGE_PERSON):
            nav.append({"label": "Accueil", "url": reverse("casework:reception")})
        if allowed(access.Perm.VIEW_PERSON):
            nav.append({"label": "Personnes", "url": reverse("people:list")})
            nav.append({"label": "Demandes", "url": reverse("casework:request_list")})
        if role == Role.COORDINATOR:
            nav.append({"label": "Mes suivis", "url": reverse("casework:caseload")})
        if role == Role.REGISTER_MANAGER:
            # The register is its manager's alone (access.can_manage_register).
            nav.append({"label": "Registre", "url": reverse("register:list")})
        if role in (Role.REGISTER_MANAGER, Role.DIRECTOR):  # access.can_view_crisis_dashboard
            nav.append({"label": "Crises", "url": reverse("crises:list")})
        if organisation is not None and role == Role.REGISTER_MANAGER:
            nav.append({"label": "Campagnes d'appels", "url": reverse("campaigns:list")})
        if role == Role.VOLUNTEER:
            # A volunteer's own pages as a caller (agents on the callers' list reach them from the dashboard).
            nav.append({"label": "Ma charte", "url": reverse("volunteers:charter")})
            nav.append({"label": "Mes disponibilités", "url": reverse("volunteers:availability")})
        if role in access.CALLER_MANAGER_ROLES:
            nav.append({"label": "Appelant·es", "url": reverse("volunteers:caller_list")})
        if organisation is not None and role in access.CALLER_ROLES and _calls_in_menu(user, organisation, role):
            nav.append({"label": "Mes appels", "url": reverse("calls:mine")})
        if organisation is not None and role in access.REFERRAL_INBOX_ROLES:  # access.can_use_referral_inbox
            nav.append({"label": "Orientations reçues", "url": reverse("referrals:inbox")})
        nav.append({"label": "Annuaire", "url": reverse("directory:search")})
        if organisation is not None and allowed(access.Perm.CHANGE_SERVICE):
            # Those who keep the organisation's directory entries (access.can_import_directory).
            nav.append({"label": "Import de l'annuaire", "url": reverse("directory:interop")})
        if organisation is not None:
            nav.append({"label": "Ma structure", "url": reverse("core:organisation_detail", args=[organisation.pk])})
            if allowed(access.Perm.VIEW_MEMBERS):
                nav.append({"label": "Membres", "url": reverse("core:member_list", args=[organisation.pk])})
            if allowed(access.Perm.VIEW_AUDIT_LOG):
                nav.append({"label": "Journal d'audit", "url": reverse("core:audit_log")})
    # The current entry is the one whose address is the longest prefix of the page's address.
    matches = [item for item in nav if request.path.startswith(item["url"])]
    current = max(matches, key=lambda item: len(item["url"]), default=None)
    for item in nav:
        item["current"] = item is current
    return {
        "site_name": settings.MAILLAGE_SITE_NAME,
        "shell_nav": nav,
        "shell_organisation": organisation,
        "shell_membership": membership,
        "shell_memberships": getattr(request, "memberships", []),
        "maillage_env": settings.MAILLAGE_ENV,
    }


def _calls_in_menu(user, organisation, role) -> bool:
    """« Mes appels »: for a volunteer; for an agent, while an open campaign counts them among its
    callers (one query, only for those roles)."""
    if role == Role.VOLUNTEER:
        return True  # the page says what to do first (sign the charter) when they may not call yet
    from maillage.register.enums import CampaignStatus
    from maillage.register.models import CallCampaign

    return CallCampaign.objects.filter(organisation=organisation, status=CampaignStatus.OPEN, callers=user).exists()
