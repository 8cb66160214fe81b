"""The theme's own addresses: the organisation's colours as a stylesheet, its logo, and the reader's
high-contrast choice. Public: the login page and the public directory wear them too."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from maillage.ui.colours import darker
from maillage.ui.context_processors import HIGH_CONTRAST_COOKIE, high_contrast
from maillage.ui.models import SiteIdentity

ONE_YEAR = 365 * 24 * 60 * 60


def _cache(response, request, identity):
    # The shell links « ?v=<version> »: that address never changes content, so keep it a year.
    if request.GET.get("v") == identity.version:
        response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    else:
        response["Cache-Control"] = "public, max-age=300"
    return response


@login_not_required
@require_safe
def theme_css(request):
    """The organisation's colour as CSS custom properties, read by the neutral theme's stylesheet
    (GOV.UK Frontend's functional colours): a file, never an inline style (CSP)."""
    identity = SiteIdentity.load()
    colour = identity.primary_colour
    css = (
        ":root{"
        f"--ui-primary:{colour};--ui-primary-dark:{darker(colour)};"
        f"--govuk-brand-colour:{colour};--govuk-link-colour:{colour};"
        f"--govuk-link-hover-colour:{darker(colour)};--govuk-link-active-colour:{darker(colour, 0.6)};"
        "}\n"
    )
    return _cache(HttpResponse(css, content_type="text/css; charset=utf-8"), request, identity)


@login_not_required
@require_safe
def logo(request):
    identity = SiteIdentity.load()
    if not identity.has_logo:
        raise Http404
    response = HttpResponse(bytes(identity.logo), content_type=identity.logo_content_type)
    # An SVG opened on its own runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return _cache(response, request, identity)


@login_not_required
@require_POST
def contrast_toggle(request):
    """Switch the high-contrast display on or off for this browser (a cookie of display preference,
    exempt from consent: CNIL, délibération 2020-091, article 5), then back to the page."""
    target = request.POST.get("next", "")
    # Only a path of this site (never a view name or another host: « next » is typed by anyone).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if high_contrast(request):
        response.delete_cookie(HIGH_CONTRAST_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            HIGH_CONTRAST_COOKIE,
            "eleve",
            max_age=ONE_YEAR,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    return response
