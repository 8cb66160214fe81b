import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

from maillage.core import access
from maillage.core.audit import audit_context

SESSION_ORGANISATION_KEY = "maillage_organisation_id"
SESSION_LAST_ACTIVITY_KEY = "maillage_last_activity"

# Pages a logged-in user who has not yet passed the second factor may still reach.
_SECOND_FACTOR_OPEN_URL_NAMES = {
    "core:otp_verify",
    "core:otp_setup",
    "core:logout",
}


def _url_name(request) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match.view_name


class InactivityTimeoutMiddleware:
    """Close a session left idle longer than MAILLAGE_INACTIVITY_TIMEOUT (ANSSI: short sessions on
    applications holding sensitive data), and say so on the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(SESSION_LAST_ACTIVITY_KEY)
            if last is not None and now - int(last) > settings.MAILLAGE_INACTIVITY_TIMEOUT:
                logout(request)
                request.session["maillage_session_expired"] = True
                response = redirect_to_login(request.get_full_path())
                if getattr(request, "htmx", False):
                    return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
                return response
            # Written at most once a minute: a session save on every request costs a database write.
            if last is None or now - int(last) >= 60:
                request.session[SESSION_LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A user whose role handles personal data reaches nothing but the second-factor pages until
    they have passed it (django-otp marks the session as verified)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and access.requires_second_factor(user):
            name = _url_name(request)
            if name not in _SECOND_FACTOR_OPEN_URL_NAMES and not _is_public(request):
                from django_otp import user_has_device

                target = "core:otp_verify" if user_has_device(user) else "core:otp_setup"
                return redirect(target)
        return self.get_response(request)


def _is_public(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # let the 404 page answer
    return not getattr(match.func, "login_required", True)


class CurrentOrganisationMiddleware:
    """Set `request.organisation` and `request.membership`: the organisation chosen in the header,
    among the user's active memberships (the first one when none was chosen or it was withdrawn)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        request.membership = None
        request.organisation = None
        if request.user.is_authenticated:
            memberships = list(access.active_memberships(request.user).order_by("organisation__name"))
            request.memberships = memberships
            # The access policy reads the roles from here for the rest of the request.
            request.user._maillage_active_memberships = memberships
            chosen = request.session.get(SESSION_ORGANISATION_KEY)
            current = next((m for m in memberships if m.organisation_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
                if chosen is not None:
                    messages.warning(
                        request,
                        "Vous n'êtes plus membre de la structure choisie : "
                        f"vous travaillez maintenant pour « {current.organisation} ».",
                    )
                request.session[SESSION_ORGANISATION_KEY] = current.organisation_id
            if current is not None:
                request.membership = current
                request.organisation = current.organisation
        return self.get_response(request)


class AuditContextMiddleware:
    """Bind the actor, their address and their current organisation to every change audited
    during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_context(request):
            return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response to a logged-in user and on every response
    of a page that is not public: nothing about a person is kept by the browser (a shared reception
    computer shows pages again with the back button, after logout) or by a proxy. Only the public
    directory seen by visitors (and static files, served before this) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not _is_public(request):
            response["Cache-Control"] = "no-store, private"
        return response
