"""The reception screen (« accueil »), built for a queue: find the person (or go anonymous), log the
request, hand over directory services, save, and the page is ready for the next caller. Usable
with the keyboard alone: every step is a plain form control, the searches are ordinary GET forms
that htmx makes live, and the page comes back with the focus in the person search box.

Also the list of the organisation's requests, with filters and counts."""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods

from maillage.casework.forms.requests import (
    ANONYMOUS,
    RequestCloseForm,
    RequestEditForm,
    RequestFilterForm,
    RequestForm,
)
from maillage.casework.models import Request
from maillage.casework.selectors import callbacks as callback_selectors
from maillage.casework.selectors import requests as selectors
from maillage.casework.services.requests import request_close as request_close_service
from maillage.casework.services.requests import request_create, request_update
from maillage.core import access
from maillage.core.audit import record_access, record_search, shown_count
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.core.ids import parse_id, parse_ids
from maillage.directory import selectors as directory_selectors
from maillage.directory.search import SearchFilters, search_services
from maillage.people import search as people_search
from maillage.people.models import Person, PersonAddress

PERSON_RESULTS = 8
SERVICE_RESULTS = 8
REQUESTS_PER_PAGE = 50


def _organisation_for_reception(request):
    if not access.can_log_request(request.user, request.organisation):
        raise Http404("Page introuvable.")
    return request.organisation


def _with_current_address(persons: list) -> list:
    prefetch_related_objects(
        persons,
        Prefetch(
            "addresses",
            queryset=PersonAddress.objects.filter(is_current=True).select_related("commune"),
            to_attr="current_addresses",
        ),
    )
    return persons


def _ids(values) -> list[int]:
    return parse_ids(values)


def _person_choices(request, organisation, query: str, chosen_id: str) -> dict:
    """The persons matching `query` (scoped by the access policy), the one already chosen first."""
    visible = access.persons_visible_to(request.user, organisation)
    chosen = visible.filter(pk=chosen_pk).first() if (chosen_pk := parse_id(chosen_id)) else None
    found = people_search.search(visible, query, limit=PERSON_RESULTS)[0] if query.strip() else []
    found = [p for p in found if chosen is None or p.pk != chosen.pk]
    persons = _with_current_address(([chosen] if chosen else []) + found)
    return {"persons": persons, "person_query": query, "chosen_person_id": chosen.pk if chosen else None}


def _service_choices(request, query: str, chosen_ids: list[int]) -> dict:
    """Directory services matching `query` (published, and one's own drafts); those already ticked first."""
    visible = access.services_visible_to(request.user)
    chosen = list(visible.filter(pk__in=chosen_ids).select_related("organisation").order_by("name"))
    found = []
    if query.strip():
        result = search_services(
            visible.exclude(pk__in=[s.pk for s in chosen]),
            SearchFilters(q=query),
            page=1,
            page_size=SERVICE_RESULTS,
            with_facets=False,
        )
        found = list(result.page)
    return {"chosen_services": chosen, "found_services": found, "service_query": query}


def _print_links(services) -> dict:
    """The directory's « print / send » links for the services handed over, when it offers them."""
    if not services:
        return {}
    query = "&".join(f"service={s.pk}" for s in services)
    links = {}
    for key, name in (("print_url", "directory:search_print"), ("send_url", "directory:search_send")):
        try:
            links[key] = f"{reverse(name)}?{query}"
        except NoReverseMatch:  # the directory may not offer it
            continue
    return links


def _partner_choices(request, query: str, chosen_id) -> dict:
    """Directory services to orient the request to (« Orientée vers un partenaire »), matching
    `query`; the one already chosen first."""
    chosen, found = directory_selectors.service_choices(
        actor=request.user, query=query, chosen_id=chosen_id, limit=SERVICE_RESULTS
    )
    return {"partner_chosen": chosen, "partners_found": found, "partner_query": query}


def _page(request, organisation, form, draft: MultiValueDict | None = None):
    data = draft if draft is not None else (request.POST if request.method == "POST" else request.GET)
    chosen_person = request.GET.get("personne", "") or data.get("person", "")
    context = {
        "form": form,
        "organisation": organisation,
        "anonymous_value": ANONYMOUS,
        "anonymous_chosen": chosen_person == ANONYMOUS,
        **_person_choices(request, organisation, request.GET.get("q", ""), chosen_person),
        **_service_choices(request, request.GET.get("sq", ""), _ids(data.getlist("services_given"))),
        **_partner_choices(request, request.GET.get("pq", ""), data.get("oriented_to", "")),
        "create_person_url": _create_person_url(),
        "draft_token": request.GET.get("brouillon", "") if draft is not None else request.POST.get("brouillon", ""),
    }
    done_pk = request.GET.get("demande", "")
    if request.method == "GET" and parse_id(done_pk):
        done = selectors.request_get(actor=request.user, organisation=organisation, pk=done_pk)
        context["done"] = done
        context.update(_print_links(list(done.services_given.all())))
    return render(request, "casework/reception.html", context)


def _create_person_url() -> str:
    try:
        return f"{reverse('people:create')}?next={reverse('casework:reception')}"
    except NoReverseMatch:  # the people module's pages may not be there yet
        return ""


# What the agent typed, kept while they create the person's file (« Nouvelle personne ») and given
# back on their return: per session, under a random token, the latest few only.
DRAFTS_SESSION_KEY = "casework_reception_drafts"
DRAFTS_KEPT = 5


def _drafts(request) -> dict:
    return request.session.get(DRAFTS_SESSION_KEY, {})


def _draft_get(request, token: str) -> MultiValueDict | None:
    stored = _drafts(request).get(token) if token else None
    if not stored:
        return None
    return MultiValueDict({key: list(values) for key, values in stored.items()})


def _draft_drop(request, token: str) -> None:
    drafts = _drafts(request)
    if token in drafts:
        del drafts[token]
        request.session[DRAFTS_SESSION_KEY] = drafts


def _form_from_draft(request, organisation, draft: MultiValueDict) -> RequestForm:
    """An unbound form showing the draft's values (no error shown for a request not sent yet)."""
    form = RequestForm(user=request.user, organisation=organisation)
    for name, field in form.fields.items():
        if name in ("person", "services_given") or name not in draft:
            continue
        multiple = getattr(field.widget, "allow_multiple_selected", False)
        form.initial[name] = draft.getlist(name) if multiple else draft.get(name)
    return form


@require_http_methods(["GET", "POST"])
def reception(request):
    """The reception screen. POST logs the request, then sends back to a fresh screen that confirms it.
    `?brouillon=…` gives back what was typed before « Nouvelle personne » (`?personne=…`: the file
    just created, chosen)."""
    organisation = _organisation_for_reception(request)
    if request.method == "GET" and (draft := _draft_get(request, request.GET.get("brouillon", ""))) is not None:
        return _page(request, organisation, _form_from_draft(request, organisation, draft), draft=draft)
    form = RequestForm(request.POST or None, user=request.user, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            done = request_create(actor=request.user, organisation=organisation, **form.request_kwargs())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            _draft_drop(request, request.POST.get("brouillon", ""))
            messages.success(request, "La demande est enregistrée. Prêt pour la demande suivante.")
            return redirect(f"{reverse('casework:reception')}?demande={done.pk}")
    return _page(request, organisation, form)


@require_http_methods(["POST"])
def reception_draft(request):
    """« Nouvelle personne » from the reception screen: keep what was typed in the session, and open
    the person's creation form, which comes back to the screen with the draft and the new file."""
    _organisation_for_reception(request)
    drafts = _drafts(request)
    token = request.POST.get("brouillon", "")
    if token not in drafts:
        token = secrets.token_urlsafe(12)
    drafts[token] = {key: request.POST.getlist(key)[:50] for key in request.POST if key in RequestForm.base_fields}
    while len(drafts) > DRAFTS_KEPT:
        drafts.pop(next(iter(drafts)))
    request.session[DRAFTS_SESSION_KEY] = drafts
    back = f"{reverse('casework:reception')}?{urlencode({'brouillon': token})}"
    target = f"{reverse('people:create')}?{urlencode({'next': back})}"
    if request.POST.get("requester_kind") == "person" and request.POST.get("requester_name", "").strip():
        target += "&" + urlencode({"nom": request.POST["requester_name"].strip()})
    return redirect(target)


@require_http_methods(["GET"])
def reception_partners(request):
    """Live directory search for the partner a request is oriented to: the fragment of results, or
    the whole reception screen."""
    organisation = _organisation_for_reception(request)
    if not request.htmx:
        return _page(request, organisation, RequestForm(user=request.user, organisation=organisation))
    context = _partner_choices(request, request.GET.get("pq", ""), request.GET.get("oriented_to", ""))
    return render(request, "casework/includes/_reception_partners.html", context)


@require_http_methods(["GET"])
def reception_persons(request):
    """Live person search of the reception screen: the fragment of results, or the whole screen."""
    organisation = _organisation_for_reception(request)
    if not request.htmx:
        return _page(request, organisation, RequestForm(user=request.user, organisation=organisation))
    context = _person_choices(request, organisation, request.GET.get("q", ""), request.GET.get("person", ""))
    shown = context.get("persons") or []
    if shown:  # a list of persons is an opening of their data (how many, never what was typed)
        record_search(
            request, Person, what=f"Accueil, recherche de personnes : {shown_count(len(shown))}", access_path=""
        )
    return render(request, "casework/includes/_reception_persons.html", {**context, "anonymous_value": ANONYMOUS})


@require_http_methods(["GET"])
def reception_services(request):
    """Live directory search of the reception screen: the fragment of results, or the whole screen."""
    organisation = _organisation_for_reception(request)
    if not request.htmx:
        return _page(request, organisation, RequestForm(user=request.user, organisation=organisation))
    context = _service_choices(request, request.GET.get("sq", ""), _ids(request.GET.getlist("services_given")))
    return render(request, "casework/includes/_reception_services.html", context)


@require_http_methods(["GET"])
def request_list(request):
    """The organisation's requests, filtered, with key figures (anonymous requests counted too)."""
    organisation = request.organisation
    if not access.can_view_requests(request.user, organisation):
        raise Http404("Page introuvable.")
    filter_form = RequestFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    qs = selectors.request_list(actor=request.user, organisation=organisation, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "counts": selectors.request_counts(qs),
        "page_obj": Paginator(qs, REQUESTS_PER_PAGE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "can_log": access.can_log_request(request.user, organisation),
    }
    template = "casework/includes/_request_results.html" if request.htmx else "casework/request_list.html"
    return render(request, template, context)


@require_http_methods(["GET"])
def request_detail(request, pk):
    """One request of the organisation: who, what, what was handed over, its next step."""
    done = selectors.request_get(actor=request.user, organisation=request.organisation, pk=pk)
    # The organisation's own record of what it was asked; about a person, an opening of their data.
    record_access(request, done, what="Demande", access_path="organisation" if done.person_id else "")
    context = {
        "done": done,
        "can_change": access.can_change_request(request.user, request.organisation, done),
        "referral_url": _referral_offer(request, done),
        **_print_links(list(done.services_given.all())),
    }
    return render(request, "casework/request_detail.html", context)


def _referral_offer(request, done) -> str:
    """« Orientée vers un partenaire » becomes a referral (issue 14): the address of the referral
    form for that person and that service, when the user may orient the person and the service
    has no referral of the person from this organisation yet; "" otherwise."""
    from maillage.referrals.selectors import has_referral_to

    if not (done.oriented_to_id and done.person_id):
        return ""
    if not access.can_refer_person(request.user, request.organisation, done.person):
        return ""
    if has_referral_to(person=done.person, organisation=request.organisation, service=done.oriented_to):
        return ""
    return reverse("referrals:create", args=[done.person_id]) + f"?service={done.oriented_to_id}"


@require_http_methods(["GET", "POST"])
def request_edit(request, pk):
    """Change a request after the call: outcome, next step, partner, remarks (audited)."""
    organisation = request.organisation
    done = selectors.request_get(actor=request.user, organisation=organisation, pk=pk)
    if not access.can_change_request(request.user, organisation, done):
        raise Http404("Demande introuvable.")
    record_access(request, done, what="Demande, modification", access_path="organisation" if done.person_id else "")
    form = RequestEditForm(request.POST or None, instance=done, user=request.user, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            request_update(actor=request.user, organisation=organisation, request=done, **form.update_kwargs())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "La demande est modifiée.")
            return redirect("casework:request_detail", pk=done.pk)
    data = request.POST if request.method == "POST" else None
    chosen_services = data.getlist("services_given") if data else [s.pk for s in done.services_given.all()]
    chosen_partner = data.get("oriented_to", "") if data else (done.oriented_to_id or "")
    context = {
        "form": form,
        "done": done,
        **_service_choices(request, "", _ids(chosen_services)),
        **_partner_choices(request, "", str(chosen_partner)),
    }
    return render(request, "casework/request_edit.html", context)


@require_http_methods(["GET", "POST"])
def request_close(request, pk):
    """Close a request's next step with what came of it (audited)."""
    organisation = request.organisation
    done = selectors.request_get(actor=request.user, organisation=organisation, pk=pk)
    if not access.can_change_request(request.user, organisation, done):
        raise Http404("Demande introuvable.")
    record_access(request, done, what="Demande, clôture", access_path="organisation" if done.person_id else "")
    form = RequestCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_close_service(actor=request.user, organisation=organisation, request=done, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "La demande est close.")
            return redirect("casework:request_detail", pk=done.pk)
    return render(request, "casework/request_close.html", {"form": form, "done": done})


@require_http_methods(["GET"])
def callbacks(request):
    """The reception's call-backs and next steps: mine by default, the whole organisation's on demand."""
    organisation = request.organisation
    if not access.can_log_request(request.user, organisation):
        raise Http404("Page introuvable.")
    everyone = request.GET.get("qui") == "tous"
    qs = callback_selectors.callback_list(actor=request.user, organisation=organisation, mine=not everyone)
    page_obj = Paginator(qs, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = len(page_obj.object_list)
    if shown:
        record_search(request, Request, what=f"Rappels et suites : {shown_count(shown, 'demande')}", access_path="")
    context = {
        "page_obj": page_obj,
        "everyone": everyone,
        "today": timezone.localdate(),
        "query": "qui=tous" if everyone else "",
    }
    return render(request, "casework/callbacks.html", context)
