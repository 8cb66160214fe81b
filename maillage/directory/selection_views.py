"""Tick services, then print or e-mail them (maillage.directory.selection), for staff and for the public
directory. Thin views: the access policy gives the queryset, selection.py does the rest."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from maillage.core import access, ratelimit
from maillage.core.clientip import client_ip
from maillage.directory import selection as selection_module
from maillage.directory.forms import SELECTION_QUERY_MAX, PublicSelectionEmailForm, SelectionEmailForm

# Printing costs about 2 s of CPU per PDF: at most this many per PRINT_WINDOW per client address (the
# public) or per member (staff).
PRINT_WINDOW = 10 * 60
PUBLIC_PRINT_LIMIT = 10
STAFF_PRINT_LIMIT = 40


def _build(request, queryset, params: QueryDict, *, public: bool):
    return selection_module.selection_build(
        queryset=queryset,
        params=params,
        site_url=request.build_absolute_uri("/"),
        public=public,
        kept=selection_module.selection_ids(request.session, public=public),
    )


def _tick(request, *, public: bool) -> HttpResponse:
    """Tick or untick one service (`toggle`: ticked when its id is among `service`; sent by htmx when a
    box changes), or empty the selection (`clear`, a plain form). A tick gets the selection's summary
    back; emptying goes back to the results, which show every box unticked."""
    session = request.session
    if request.POST.get("clear"):
        selection_module.selection_clear(session, public=public)
    toggle = request.POST.get("toggle", "")
    if toggle in request.POST.getlist("service"):
        selection_module.selection_add(session, [toggle], public=public)
    elif toggle:
        selection_module.selection_remove(session, [toggle], public=public)
    next_url = request.POST.get("next", "")
    if request.htmx:
        next_url = request.htmx.current_url_abs_path or next_url
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if not (request.htmx or toggle):
        return redirect(next_url or reverse("directory:public_search" if public else "directory:search"))
    context = {
        "public": public,
        "selection_count": len(selection_module.selection_ids(session, public=public)),
        "next_url": next_url,
    }
    return render(request, "directory/includes/_selection_summary.html", context)


def _print(request, queryset, *, public: bool) -> HttpResponse:
    selection = _build(request, queryset, request.GET, public=public)
    if public:
        pdf = selection_module.public_selection_pdf(selection, site_name=settings.MAILLAGE_SITE_NAME)
        if pdf is None:
            message = "L'impression des sélections est très demandée en ce moment : réessayez dans une minute."
            response = render(request, "429.html", {"message": message}, status=429)
            response["Retry-After"] = "60"
            return response
    else:
        pdf = selection_module.selection_pdf(selection, site_name=settings.MAILLAGE_SITE_NAME)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"annuaire-selection-{selection.created_at:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _results_url(params: QueryDict, *, public: bool) -> str:
    query = params.copy()
    query.pop("service", None)
    url = reverse("directory:public_search" if public else "directory:search")
    return f"{url}?{query.urlencode()}" if query else url


def _send(request, queryset, *, public: bool) -> HttpResponse:
    form_class = PublicSelectionEmailForm if public else SelectionEmailForm
    if request.method == "POST":
        form = form_class(request.POST)
        params = QueryDict(request.POST.get("selection", "")[:SELECTION_QUERY_MAX])
    else:
        form = form_class(initial={"selection": request.GET.urlencode()[:SELECTION_QUERY_MAX]})
        params = request.GET
    selection = _build(request, queryset, params, public=public)
    status = 200
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["email"]
        if not selection.sheets:
            form.add_error(None, "La sélection est vide : revenez aux résultats et choisissez au moins un service.")
        elif refusal := selection_module.send_refusal(client=client_ip(request), recipient=to, public=public):
            form.add_error(None, refusal)
            status = 429
        else:
            organisation = getattr(request, "organisation", None)
            selection_module.selection_email_send(
                selection=selection,
                to=to,
                message=form.cleaned_data.get("message", ""),
                sender=f"« {organisation.name} »" if (organisation and not public) else "Une personne",
                site_name=settings.MAILLAGE_SITE_NAME,
                public=public,
                reply_to=[request.user.email] if not public and request.user.is_authenticated else None,
            )
            messages.success(request, f"La sélection va être envoyée à {to}.")
            return redirect(_results_url(params, public=public))
    context = {
        "form": form,
        "selection": selection,
        "public": public,
        "back_url": _results_url(params, public=public),
    }
    response = render(request, "directory/selection_send.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(ratelimit.retry_after(int(selection_module.SEND_WINDOW.total_seconds())))
    return response


@require_http_methods(["POST"])
def search_selection(request):
    """Staff: tick or untick a service of the results; the ticks stay while one changes page."""
    return _tick(request, public=False)


@require_http_methods(["GET", "HEAD"])
@ratelimit.limit_per_requester(
    "directory-print", what="l'impression de la sélection", limit=STAFF_PRINT_LIMIT, window_seconds=PRINT_WINDOW
)
def search_print(request):
    """Staff: the selection as an A4 PDF (published services and one's own drafts)."""
    return _print(request, access.services_visible_to(request.user), public=False)


@require_http_methods(["GET", "POST"])
def search_send(request):
    """Staff: e-mail the selection (limited too, should a session fall into the wrong hands)."""
    return _send(request, access.services_visible_to(request.user), public=False)


@login_not_required
@require_http_methods(["POST"])
def public_search_selection(request):
    """Public directory: tick or untick a service of the results (kept in the visitor's session)."""
    return _tick(request, public=True)


@login_not_required
@require_http_methods(["GET", "HEAD"])
@ratelimit.limit_per_requester(
    "directory-public-print",
    what="l'impression de la sélection",
    limit=PUBLIC_PRINT_LIMIT,
    window_seconds=PRINT_WINDOW,
)
def public_search_print(request):
    """Public directory: the selection as an A4 PDF (published services only)."""
    return _print(request, access.services_public(), public=True)


@login_not_required
@require_http_methods(["GET", "POST"])
def public_search_send(request):
    """Public directory: e-mail the selection (fixed text), a few times per hour per client address and
    a few times per day to one recipient."""
    return _send(request, access.services_public(), public=True)
