from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from maillage.core import access, selectors
from maillage.core.dashboard import panels_for
from maillage.core.forms import OrganisationSwitchForm
from maillage.core.middleware import SESSION_ORGANISATION_KEY


@require_http_methods(["GET"])
def dashboard(request):
    """The home page, first screen of a working day: the panels of the user's role in the current
    organisation (what to do today, the files shared with them, the counts), then their tools."""
    organisation = request.organisation
    context = {
        "role_perms": _perms(request),
        "pending_invitations_count": access.invitations_received_by(request.user).count(),
        "can_use_api_keys": access.can_use_api_keys_page(request.user, organisation),
    }
    if organisation is not None and context["role_perms"]["view_audit_log"]:
        context["audit_summary"] = selectors.audit_summary(actor=request.user, organisation=organisation)
    if organisation is not None and context["role_perms"]["view_members"]:
        context["members_count"] = (
            selectors.membership_list(actor=request.user, organisation=organisation).filter(is_active=True).count()
        )
    # The panels of the working day (core.dashboard): each app's, each deciding who sees it.
    context["panels"] = panels_for(request) if organisation is not None else []
    return render(request, "core/dashboard.html", context)


def _perms(request) -> dict:
    organisation = request.organisation
    return {perm.value: access.has_perm(request.user, organisation, perm) for perm in access.Perm}


@require_http_methods(["POST"])
def organisation_switch(request):
    """Choose the organisation to work for, among one's active memberships."""
    form = OrganisationSwitchForm(request.POST)
    chosen = None
    if form.is_valid():
        chosen = next((m for m in request.memberships if m.organisation_id == form.cleaned_data["organisation"]), None)
    if chosen is None:
        messages.error(
            request, "Structure inconnue, ou vous n'en êtes pas membre : vous restez dans votre structure actuelle."
        )
    else:
        request.session[SESSION_ORGANISATION_KEY] = chosen.organisation_id
        messages.success(
            request, f"Vous travaillez maintenant pour « {chosen.organisation} » ({chosen.get_role_display()})."
        )
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "core:dashboard"
    if chosen is not None and target != "core:dashboard":
        # A page of the previous organisation makes no sense in the new one: go home.
        target = "core:dashboard"
    return redirect(target)


def _static_page(template):
    @login_not_required
    @require_http_methods(["GET"])
    def view(request):
        return render(request, template)

    return view


accessibility = _static_page("core/pages/accessibility.html")
legal_notice = _static_page("core/pages/legal_notice.html")
personal_data = _static_page("core/pages/personal_data.html")
cookies = _static_page("core/pages/cookies.html")
sitemap = _static_page("core/pages/sitemap.html")


@login_not_required
@require_http_methods(["GET"])
def home(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return redirect("core:login")
