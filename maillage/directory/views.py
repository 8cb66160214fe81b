from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from maillage.core import access, versioning
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.directory import conf, selection, selectors, services
from maillage.directory.forms import SearchForm, ServiceForm, ServiceListFilterForm, commune_label
from maillage.directory.search import SearchFilters, search_services

# The search's fields folded into the « Filtrer » panel (directory/search.html); q and commune stay out.
PANEL_FILTERS = ["proximity", "need", "domain", "public", "accessibility", "fee", "offer_kind", "age", "open_now"]


def search_query(params) -> str:
    """The search a page was reached from (its fields and page), to go back to it: what the result
    links carry and « Retour à la recherche » restores. Anything else is left out."""
    kept = QueryDict(mutable=True)
    for name in [*SearchForm.base_fields, "page"]:
        values = [v[:200] for v in params.getlist(name) if v]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def _back_url(request, *, public: bool) -> str:
    url = reverse("directory:public_search" if public else "directory:search")
    query = search_query(request.GET)
    return f"{url}?{query}" if query else url


def _current_organisation(request):
    if request.organisation is None:
        raise Http404("Aucune structure.")
    return request.organisation


@require_http_methods(["GET"])
def service_list(request):
    """The current organisation's services, with those to check (« à vérifier ») flagged."""
    organisation = _current_organisation(request)
    filter_form = ServiceListFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    qs = selectors.service_list(actor=request.user, organisation=organisation, filters=filters)
    context = {
        "organisation": organisation,
        "filter_form": filter_form,
        "page_obj": Paginator(qs, conf.DEFAULT_PAGE_SIZE).get_page(request.GET.get("page")),
        "can_create": access.can_create_service(request.user, organisation),
        "freshness_days": conf.freshness_days(),
    }
    template = "directory/includes/_service_rows.html" if request.htmx else "directory/service_list.html"
    return render(request, template, context)


@require_http_methods(["GET"])
def service_detail(request, pk):
    service = selectors.service_get(actor=request.user, pk=pk)
    context = {
        "service": service,
        "terms": selectors.term_groups(service),
        "can_change": access.can_change_service(request.user, service),
        "orient_from": _orienting_organisation(request, False),
        "public": False,
        "back_url": _back_url(request, public=False),
    }
    return render(request, "directory/service_detail.html", context)


@require_http_methods(["GET", "POST"])
def service_create(request):
    organisation = _current_organisation(request)
    if not access.can_create_service(request.user, organisation):
        raise Http404("Page introuvable.")
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(actor=request.user, organisation=organisation, **form.service_kwargs())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Le service « {service.name} » a été ajouté.")
            return redirect("directory:service_detail", pk=service.pk)
    return render(request, "directory/service_form.html", {"form": form, "service": None})


@require_http_methods(["GET", "POST"])
def service_edit(request, pk):
    service = access.get_service_for(request.user, pk, "change")
    form = ServiceForm(request.POST or None, instance=service)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                actor=request.user, service=service, version=form.expected_version(), **form.service_kwargs()
            )
        except versioning.StaleVersionError as exc:
            conflict = form.show_conflict(exc)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Le service a été mis à jour.")
            return redirect("directory:service_detail", pk=service.pk)
    return render(request, "directory/service_form.html", {"form": form, "service": service, "conflict": conflict})


@require_http_methods(["GET"])
def commune_suggestions(request):
    """The search list of the service form's commune fields: the communes whose name (or postal code)
    starts with `q`, as JSON. Public data (the official list of communes)."""
    communes = selectors.commune_suggestions(request.GET.get("q", ""))
    return JsonResponse(
        {
            "communes": [
                {"label": commune_label(c), "hint": f"{c.departement.name} ({c.departement.code})"} for c in communes
            ]
        }
    )


@require_http_methods(["POST"])
def service_verify(request, pk):
    service = access.get_service_for(request.user, pk, "change")
    services.service_mark_verified(actor=request.user, service=service)
    messages.success(request, "Les informations du service sont marquées comme vérifiées aujourd'hui.")
    return redirect("directory:service_detail", pk=service.pk)


def _orienting_organisation(request, public: bool):
    """The organisation the user orients persons for from the directory (a role that changes its
    persons' files: access.can_refer_person), or None: the public pages orient nobody."""
    organisation = getattr(request, "organisation", None)
    if public or not access.has_perm(request.user, organisation, access.Perm.CHANGE_PERSON):
        return None
    return organisation


def _search(request, scope: access.ServiceScope, *, public: bool):
    form = SearchForm(request.GET)
    filters = SearchFilters.from_form(form.filters())
    result = search_services(scope.queryset(), filters, page=request.GET.get("page"), scope=scope)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "result": result, "page_obj": result.page, "public": public, "query": query.urlencode()}
    # « Affiner »: only the groups with something to count.
    context["facet_groups"] = [g for g in result.facet_groups() if any(v.count for v in g.values)]
    # The current filters, carried by the « imprimer / envoyer la sélection » form (selection_views).
    context["selection_params"] = [(k, v) for k, values in query.lists() if k != "service" for v in values]
    # The services ticked so far, on any page of the results (kept in the session by selection_views).
    context["selected_ids"] = set(selection.selection_ids(request.session, public=public))
    context["selection_count"] = len(context["selected_ids"])
    context["next_url"] = request.get_full_path()
    back = search_query(request.GET)
    context["back_suffix"] = f"?{back}" if back else ""
    cleaned = getattr(form, "cleaned_data", {})
    context["active_filters"] = sum(1 for name in PANEL_FILTERS if cleaned.get(name) not in (None, "", False))
    # « Aller aux résultats », among the page's skip links (ui/<theme>/skiplinks.html).
    context["page_skiplinks"] = [("#liste-resultats", "Aller aux résultats")]
    # « Orienter une personne » on each partner's result (referrals, issue 14).
    context["orient_from"] = _orienting_organisation(request, public)
    if request.htmx:
        return render(request, "directory/includes/_results.html", context)
    return render(request, "directory/search.html", context)


@require_http_methods(["GET"])
def search(request):
    """Staff search: published services and the drafts of one's own organisations."""
    return _search(request, access.service_scope_for(request.user), public=False)


@login_not_required
@require_http_methods(["GET"])
def public_search(request):
    """The public directory: published services only, no login."""
    return _search(request, access.PUBLIC_SCOPE, public=True)


@login_not_required
@require_http_methods(["GET"])
def public_service_detail(request, pk):
    service = selectors.public_service_get(pk=pk)
    context = {
        "service": service,
        "terms": selectors.term_groups(service),
        "can_change": False,
        "orient_from": None,
        "public": True,
        "back_url": _back_url(request, public=True),
    }
    return render(request, "directory/service_detail.html", context)
