"""Print or e-mail a selection of the search results (maillage.directory.selection), for staff and
for the public directory. Thin views: the access policy gives the queryset, selection.py does the rest."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from maillage.core import access
from maillage.directory import selection as selection_module
from maillage.directory.forms import SELECTION_QUERY_MAX, SelectionEmailForm


def _build(request, queryset, params: QueryDict, *, public: bool):
    return selection_module.selection_build(
        queryset=queryset, params=params, site_url=request.build_absolute_uri("/"), public=public
    )


def _print(request, queryset, *, public: bool) -> HttpResponse:
    selection = _build(request, queryset, request.GET, public=public)
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
    if request.method == "POST":
        form = SelectionEmailForm(request.POST)
        params = QueryDict(request.POST.get("selection", "")[:SELECTION_QUERY_MAX])
    else:
        form = SelectionEmailForm(initial={"selection": request.GET.urlencode()[:SELECTION_QUERY_MAX]})
        params = request.GET
    selection = _build(request, queryset, params, public=public)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not selection.sheets:
            form.add_error(None, "La sélection est vide : revenez aux résultats et choisissez au moins un service.")
        elif public and not selection_module.public_send_allowed(request.session):
            form.add_error(
                None,
                f"Vous avez déjà envoyé {selection_module.PUBLIC_SEND_LIMIT} sélections en moins d'une heure. "
                "Réessayez plus tard, ou imprimez la sélection.",
            )
            status = 429
        else:
            organisation = getattr(request, "organisation", None)
            selection_module.selection_email_send(
                selection=selection,
                to=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
                sender=f"« {organisation.name} »" if (organisation and not public) else "Une personne",
                site_name=settings.MAILLAGE_SITE_NAME,
                reply_to=[request.user.email] if not public and request.user.is_authenticated else None,
            )
            if public:
                selection_module.public_send_record(request.session)
            messages.success(request, f"La sélection va être envoyée à {form.cleaned_data['email']}.")
            return redirect(_results_url(params, public=public))
    context = {
        "form": form,
        "selection": selection,
        "public": public,
        "back_url": _results_url(params, public=public),
    }
    return render(request, "directory/selection_send.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def search_print(request):
    """Staff: the selection as an A4 PDF (published services and one's own drafts)."""
    return _print(request, access.services_visible_to(request.user), public=False)


@require_http_methods(["GET", "POST"])
def search_send(request):
    """Staff: e-mail the selection."""
    return _send(request, access.services_visible_to(request.user), public=False)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def public_search_print(request):
    """Public directory: the selection as an A4 PDF (published services only)."""
    return _print(request, access.services_public(), public=True)


@login_not_required
@require_http_methods(["GET", "POST"])
def public_search_send(request):
    """Public directory: e-mail the selection, a few times per hour per visitor."""
    return _send(request, access.services_public(), public=True)
