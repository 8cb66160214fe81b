"""Referral pages: the sender's (orient a person from their file or from a directory result, follow
the referral, cancel it, send a redirection's draft) and the partner's (inbox, the referral's shared
set, its answers). Every page reading a person writes its opening, with its grant's path."""

import datetime
import urllib.parse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit, grammar, ratelimit
from maillage.core.forms import run_service
from maillage.directory.enums import ServiceStatus
from maillage.directory.models import Service
from maillage.people import search as person_search
from maillage.people.forms import PersonSearchForm
from maillage.people.models import Person
from maillage.referrals import forms, lifecycle, links, services, sharing
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.first_contact_views import first_contact_context
from maillage.referrals.lifecycle import Side
from maillage.referrals.models import OPEN_FOR_PARTNER, Referral

PERSON_SEARCH_LIMIT = 20
SERVICE_SEARCH_LIMIT = 20


def _published_service(pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Service.objects.filter(pk=pk, status=ServiceStatus.PUBLISHED, organisation__is_active=True)
        .select_related("organisation")
        .first()
    )


# --- The sender's side -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def referral_create(request, person_pk):
    """Orient the person to a service: first find the service (unless it comes from a directory
    result), then the form, with what will be shared shown before it leaves."""
    grant = access.person_grant_for(request, person_pk, access.Part.IDENTITY)
    person = grant.person
    if not access.can_refer_person(request.user, request.organisation, person):
        raise Http404("Page introuvable.")
    grant.record(request, "Orientation vers un partenaire")
    service = _published_service(request.GET.get("service") or request.POST.get("service"))
    if service is not None and service.organisation_id == request.organisation.pk:
        service = None
    if service is None:
        return _choose_service(request, person)
    documents = grant.documents().order_by("-uploaded_at")
    without_account = not services.can_receive_referrals(service.organisation)
    form = forms.ReferralForm(
        request.POST if request.method == "POST" else None,
        documents=documents,
        without_account=without_account,
        initial={"recipient_email": service.email or service.organisation.email} if without_account else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = run_service(
            form,
            lambda: services.referral_create(
                actor=request.user,
                organisation=request.organisation,
                person=person,
                service=service,
                referral_type=data["referral_type"],
                reason=data["reason"],
                needs=data["needs"],
                urgency=data["urgency"],
                agreed_with_person=data["agreed_with_person"],
                documents=data.get("documents") or [],
                consent_given=data["consent_given"],
                consent_given_by=data["consent_given_by"],
                consent_channel=data["consent_channel"],
                recipient_email=data.get("recipient_email") or "",
            ),
        )
        if referral is not None:
            messages.success(
                request,
                f"Orientation envoyée à {service.name} ({service.organisation.name}). Vous suivrez sa réponse ici.",
            )
            return redirect("referrals:sent_detail", referral.pk)
    context = {
        "person": person,
        "service": service,
        "form": form,
        "preview": sharing.preview_by_type(person),
        "without_account": without_account,
    }
    return render(request, "referrals/create.html", context, status=400 if form.errors else 200)


def _choose_service(request, person):
    search = forms.ServiceSearchForm(request.GET or None)
    results = []
    query = ""
    if search.is_valid() and search.cleaned_data["q"].strip():
        query = search.cleaned_data["q"].strip()
        results = list(
            Service.objects.filter(status=ServiceStatus.PUBLISHED, organisation__is_active=True)
            .exclude(organisation=request.organisation)
            .filter(
                Q(name__icontains=query) | Q(alternate_name__icontains=query) | Q(organisation__name__icontains=query)
            )
            .select_related("organisation")
            .order_by("name", "pk")[:SERVICE_SEARCH_LIMIT]
        )
    context = {"person": person, "search": search, "results": results, "query": query}
    return render(request, "referrals/choose_service.html", context)


@require_http_methods(["GET"])
def choose_person(request, service_pk):
    """« Orienter une personne » from a directory result: which person? The organisation's own files
    only (it records the consent), for those who may orient."""
    if not access.has_perm(request.user, request.organisation, access.Perm.CHANGE_PERSON):
        raise Http404("Page introuvable.")
    service = _published_service(service_pk)
    if service is None:
        raise Http404("Service introuvable.")
    search = PersonSearchForm(request.GET or None)
    results = []
    query = ""
    if search.is_valid() and search.cleaned_data["q"].strip():
        query = search.cleaned_data["q"].strip()
        own = access.persons_visible_to(request.user, request.organisation).filter(organisation=request.organisation)
        results, _parsed = person_search.search(own.active(), query, limit=PERSON_SEARCH_LIMIT)
        audit.record_search(
            request, Person, what=f"Orientation : {audit.shown_count(len(results))}", access_path="organisation"
        )
    context = {
        "service": service,
        "search": search,
        "results": results,
        "query": query,
        "own_service": service.organisation_id == request.organisation.pk,
    }
    return render(request, "referrals/choose_person.html", context)


def _events(referral):
    return list(referral.events.select_related("actor", "organisation").order_by("at", "pk"))


@require_http_methods(["GET"])
def sent_detail(request, pk):
    grant, referral = access.get_sent_referral_for(request, pk)
    grant.record(request, "Orientation envoyée")
    may_act = access.can_refer_person(request.user, request.organisation, referral.person)
    context = {
        "referral": referral,
        "person": referral.person,
        "events": _events(referral),
        "preview": sharing.preview(referral.person, referral.referral_type),
        "needs": [sharing.NEED_LABELS[c] for c in referral.needs if c in sharing.NEED_LABELS],
        "documents": list(referral.shared_documents.all()),
        "can_cancel": may_act and ReferralStatus.CANCELLED in lifecycle.allowed_next(referral.status, Side.SENDER),
        "can_send": may_act and referral.status == ReferralStatus.DRAFT,
        "redirected_to": getattr(referral, "redirected_to", None),
        "first_contact": first_contact_context(referral),
        "first_contact_url": reverse("referrals:sent_first_contact", args=[referral.pk])
        if may_act and referral.status in OPEN_FOR_PARTNER
        else "",
    }
    return render(request, "referrals/sent_detail.html", context)


@require_http_methods(["GET", "POST"])
def cancel(request, pk):
    grant, referral = access.get_sent_referral_for(request, pk)
    if not access.can_refer_person(request.user, request.organisation, referral.person):
        raise Http404("Page introuvable.")
    grant.record(request, "Orientation : annulation")
    form = forms.NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.referral_transition(
                actor=request.user,
                organisation=request.organisation,
                referral=referral,
                to_status=ReferralStatus.CANCELLED,
                note=form.cleaned_data["note"],
            ),
        )
        if done is not None:
            messages.success(request, "Orientation annulée : le partenaire en est prévenu.")
            return redirect("referrals:sent_detail", referral.pk)
    context = {"referral": referral, "person": referral.person, "form": form}
    return render(request, "referrals/cancel.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def send_draft(request, pk):
    grant, referral = access.get_sent_referral_for(request, pk)
    if referral.status != ReferralStatus.DRAFT or not access.can_refer_person(
        request.user, request.organisation, referral.person
    ):
        raise Http404("Page introuvable.")
    grant.record(request, "Orientation : envoi du brouillon")
    without_account = not services.can_receive_referrals(referral.to_organisation)
    service = referral.to_service
    form = forms.ConsentForm(
        request.POST if request.method == "POST" else None,
        without_account=without_account,
        initial={"recipient_email": referral.recipient_email or service.email or service.organisation.email}
        if without_account
        else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.referral_send_draft(
                actor=request.user,
                organisation=request.organisation,
                referral=referral,
                consent_given=data["consent_given"],
                consent_given_by=data["consent_given_by"],
                consent_channel=data["consent_channel"],
                recipient_email=data.get("recipient_email") or "",
            ),
        )
        if done is not None:
            messages.success(request, f"Orientation envoyée à {referral.to_service.name}.")
            return redirect("referrals:sent_detail", referral.pk)
    context = {
        "referral": referral,
        "person": referral.person,
        "form": form,
        "preview": sharing.preview(referral.person, referral.referral_type),
    }
    return render(request, "referrals/send_draft.html", context, status=400 if form.errors else 200)


# --- The partner's side ------------------------------------------------------------------------------

#: The inbox shows at most this many referrals of the chosen tab (the tabs give the counts).
INBOX_PER_PAGE = 50
#: What an inbox row shows (inbox.html): not the rest of the referral, the file nor the service's texts.
INBOX_COLUMNS = (
    "status",
    "urgency",
    "sent_at",
    "outcome",
    "person",
    "person__first_names",
    "person__last_name",
    "person__birth_name",
    "person__sex",
    "to_service",
    "to_service__name",
    "from_organisation",
    "from_organisation__name",
)

INBOX_FILTERS = {
    "a-traiter": ("À traiter", [ReferralStatus.SENT, ReferralStatus.RECEIVED]),
    "en-cours": ("Acceptées et en cours", [ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS]),
    "terminees": (
        "Terminées",
        [ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.REDIRECTED, ReferralStatus.CANCELLED],
    ),
}


def overdue_before() -> datetime.datetime:
    """A referral sent before this moment and still unanswered is « en retard »."""
    return timezone.now() - datetime.timedelta(days=settings.REFERRALS_REMINDER_DAYS)


@require_http_methods(["GET"])
def inbox(request):
    """The referrals addressed to the organisation, by state, with counts and the overdue ones (no
    answer after REFERRALS_REMINDER_DAYS). A person is named only while the referral is open."""
    if not access.can_use_referral_inbox(request.user, request.organisation):
        raise Http404("Page introuvable.")
    addressed = access.referrals_addressed_to(request.user, request.organisation)
    late = overdue_before()
    unanswered = [ReferralStatus.SENT, ReferralStatus.RECEIVED]
    # Counted on `status` (never null), not on the key: the inbox index holds every column these
    # counts read, so a busy partner's thousands of referrals are counted without reading the table.
    counts = addressed.aggregate(
        **{key: Count("status", filter=Q(status__in=statuses)) for key, (_, statuses) in INBOX_FILTERS.items()},
        overdue=Count("status", filter=Q(status__in=unanswered, sent_at__lt=late)),
    )
    current = request.GET.get("etat", "a-traiter")
    if current == "en-retard":
        shown = addressed.filter(status__in=unanswered, sent_at__lt=late)
        total = counts["overdue"]
    else:
        current = current if current in INBOX_FILTERS else "a-traiter"
        shown = addressed.filter(status__in=INBOX_FILTERS[current][1])
        total = counts[current]
    order = ("-urgency", "sent_at", "pk")
    # The page's 50 first, chosen in the index alone, then read with their person, service and sender:
    # joining first would join all of a busy partner's referrals before cutting (decision 61).
    # The tab's count above is the paginator's: no second COUNT.
    page_obj = Paginator(
        _Counted(shown.order_by(*order).values_list("pk", flat=True), total), INBOX_PER_PAGE
    ).get_page(request.GET.get("page"))
    rows = list(
        Referral.objects.filter(pk__in=page_obj.object_list)
        .select_related("person", "to_service", "from_organisation")
        .only(*INBOX_COLUMNS)
        .order_by(*order)
    )
    named = sum(1 for r in rows if r.status in OPEN_FOR_PARTNER)
    if named:
        audit.record_search(
            request, Person, what=f"Orientations reçues : {audit.shown_count(named)}", access_path="referral"
        )
    tabs = [
        {"key": key, "label": label, "count": counts[key], "current": key == current}
        for key, (label, _) in INBOX_FILTERS.items()
    ] + [{"key": "en-retard", "label": "En retard", "count": counts["overdue"], "current": current == "en-retard"}]
    context = {
        "rows": [{"referral": r, "open": r.status in OPEN_FOR_PARTNER, "late": _is_late(r, late)} for r in rows],
        "tabs": tabs,
        "current_label": next(t["label"] for t in tabs if t["current"]),
        "page_obj": page_obj,
        "query": urllib.parse.urlencode({"etat": current}),
        "reminder_days": grammar.count(settings.REFERRALS_REMINDER_DAYS, "jour"),
        "figures_url": reverse("referrals:figures")
        if access.can_view_received_referral_figures(request.user, request.organisation)
        else "",
    }
    return render(request, "referrals/inbox.html", context)


class _Counted:
    """A queryset whose count is already known, for the paginator (which would count it again)."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]  # still a query: the page's rows read it as a subquery


def _is_late(referral, late) -> bool:
    return referral.status in (ReferralStatus.SENT, ReferralStatus.RECEIVED) and bool(
        referral.sent_at and referral.sent_at < late
    )


ACTIONS = {
    "accepter": (ReferralStatus.ACCEPTED, forms.NoteForm, "Accepter l'orientation", "Orientation acceptée."),
    "refuser": (ReferralStatus.DECLINED, forms.DeclineForm, "Refuser l'orientation", "Orientation refusée."),
    "reorienter": (
        ReferralStatus.REDIRECTED,
        forms.RedirectForm,
        "Réorienter vers un autre service",
        "Orientation réorientée : la structure qui a orienté la personne vérifiera avec elle avant d'envoyer.",
    ),
    "commencer": (
        ReferralStatus.IN_PROGRESS,
        forms.NoteForm,
        "Commencer l'accompagnement",
        "Accompagnement commencé.",
    ),
    "cloturer": (ReferralStatus.CLOSED, forms.CloseForm, "Clôturer l'orientation", "Orientation clôturée."),
}
ACTION_OF_STATUS = {status: slug for slug, (status, *_rest) in ACTIONS.items()}


@require_http_methods(["GET"])
def received_detail(request, pk):
    """The referral as the partner reads it: only its shared set. Opening it marks it received."""
    grant = access.referral_grant_for(request, pk)
    referral = grant.referral
    referral = services.receive_on_opening(actor=request.user, organisation=request.organisation, referral=referral)
    if referral.status not in OPEN_FOR_PARTNER:
        raise Http404("Orientation introuvable.")
    grant.record(request, "Orientation reçue")
    shared = grant.shared()
    context = {
        "referral": referral,
        "fields": [(shared["labels"][name], sharing.display(name, value)) for name, value in shared["fields"].items()],
        "needs": shared["needs"],
        "documents": shared["documents"],
        "events": _events(referral),
        "first_contact": first_contact_context(referral),
        "first_contact_url": reverse("referrals:received_first_contact", args=[referral.pk]),
        "actions": [
            (ACTION_OF_STATUS[s], ACTIONS[ACTION_OF_STATUS[s]][2])
            for s in lifecycle.allowed_next(referral.status, Side.RECEIVER)
            if s in ACTION_OF_STATUS
        ],
    }
    return render(request, "referrals/received_detail.html", context)


@require_http_methods(["GET", "POST"])
def respond(request, pk, action):
    if action not in ACTIONS:
        raise Http404("Page introuvable.")
    grant = access.referral_grant_for(request, pk)
    referral = grant.referral
    to_status, form_class, title, done_message = ACTIONS[action]
    grant.record(request, f"Orientation reçue : {title.lower()}")
    kwargs = {"referral": referral} if form_class is forms.RedirectForm else {}
    form = form_class(request.POST if request.method == "POST" else None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.referral_transition(
                actor=request.user,
                organisation=request.organisation,
                referral=referral,
                to_status=to_status,
                note=data.get("note", ""),
                outcome=data.get("outcome", ""),
                redirect_to=data.get("redirect_to"),
            ),
        )
        if done is not None:
            messages.success(request, done_message)
            if done.status in OPEN_FOR_PARTNER:
                return redirect("referrals:received_detail", referral.pk)
            return redirect("referrals:inbox")
    query = request.GET.get("q", "")[:120]
    if isinstance(form, forms.RedirectForm):
        form.offer(query)
    context = {"referral": referral, "form": form, "title": title, "action": action, "query": query}
    return render(request, "referrals/respond.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def shared_document(request, pk, document_pk):
    """A document the sender chose to share, for the partner, while the referral is open; logged."""
    grant = access.referral_grant_for(request, pk)
    document = grant.document(document_pk)
    grant.record(request, f"Orientation reçue : document « {document.title} »")
    return _document_response(document)


def _document_response(document):
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- A partner without an account: the link, its code, the referral it opens (decision « nolink ») -----

LINK_ACTIONS = {slug: ACTIONS[slug] for slug in ("accepter", "refuser", "commencer", "cloturer")}
LINK_CODE_LIMIT = 3  # codes sent per link …
LINK_CODE_WINDOW = 600  # … per 10 minutes


def _link_refused(request, message, status=403):
    return render(request, "referrals/link_refused.html", {"message": message}, status=status)


@login_not_required
@require_http_methods(["GET"])
def link_open(request, token):
    """The link from the e-mail: checked, then forgotten from the address bar (the token never reaches
    a log line nor a Referer): the code page knows the link from the session."""
    link = links.find(token)
    if link is None:
        return _link_refused(request, links.UNKNOWN, status=404)
    refused = links.refusal(link)
    if refused:
        return _link_refused(request, refused, status=410 if refused in (links.EXPIRED, links.ENDED) else 403)
    request.session[links.PENDING_KEY] = link.pk
    return redirect("referrals:link_code")


def _pending_link(request):
    from maillage.referrals.models import ReferralLink

    pk = request.session.get(links.PENDING_KEY)
    return ReferralLink.objects.select_related("referral", "referral__from_organisation").filter(pk=pk).first()


@login_not_required
@require_http_methods(["GET", "POST"])
def link_code(request):
    """Ask for the code (sent to the link's address), then enter it."""
    link = _pending_link(request)
    if link is None:
        return _link_refused(request, "Ouvrez d'abord le lien reçu par courriel.", status=404)
    refused = links.refusal(link)
    if refused:
        return _link_refused(request, refused, status=410 if refused in (links.EXPIRED, links.ENDED) else 403)
    form = forms.LinkCodeForm(request.POST if request.POST.get("action") == "verifier" else None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "envoyer":
        if not ratelimit.hit(f"referral-link-code:{link.pk}", limit=LINK_CODE_LIMIT, window_seconds=LINK_CODE_WINDOW):
            messages.error(
                request,
                ratelimit.refusal_message(
                    what="recevoir un code", limit=LINK_CODE_LIMIT, window_seconds=LINK_CODE_WINDOW
                ).replace(" par connexion", ""),
            )
            status = 429
        else:
            links.send_code(link)
            messages.success(request, f"Un code vous a été envoyé à {link.email}. Il vaut 10 minutes.")
            return redirect("referrals:link_code")
    elif request.method == "POST" and form.is_valid():
        refused = links.check_code(link, form.cleaned_data["code"])
        if refused is None:
            links.open_session(request, link)
            return redirect("referrals:link_detail")
        form.add_error("code", refused)
    context = {"link": link, "referral": link.referral, "form": form}
    return render(request, "referrals/link_code.html", context, status=400 if form.errors else status)


def _link_session(request):
    link = links.session_link(request)
    if link is None:
        raise Http404(
            "Votre accès à cette orientation a pris fin (il dure 30 minutes) : rouvrez le lien reçu par courriel."
        )
    referral = (
        type(link.referral)
        .objects.select_related("person", "to_service", "from_organisation", "sender", "consent")
        .get(pk=link.referral_id)
    )
    consent = referral.consent
    if consent is None or consent.withdrawn_at is not None or consent.partner_id != referral.to_organisation_id:
        raise Http404("Orientation introuvable.")
    return link, referral


def _record_link_opening(request, referral, what):
    audit.record_access(request, referral.person, what=what, access_path="referral_link")


@login_not_required
@require_http_methods(["GET"])
def link_detail(request):
    """The referral as the partner without an account reads it: only its shared set."""
    link, referral = _link_session(request)
    referral = services.receive_on_opening(actor=None, organisation=None, referral=referral, link=link)
    _record_link_opening(request, referral, "Orientation reçue par lien")
    shared = sharing.shared_record(referral)
    context = {
        "referral": referral,
        "fields": [(shared["labels"][name], sharing.display(name, value)) for name, value in shared["fields"].items()],
        "needs": shared["needs"],
        "documents": shared["documents"],
        "events": _events(referral),
        "via_link": True,
        "first_contact": first_contact_context(referral),
        "first_contact_url": reverse("referrals:link_first_contact"),
        "actions": [
            (ACTION_OF_STATUS[s], ACTIONS[ACTION_OF_STATUS[s]][2])
            for s in lifecycle.allowed_next(referral.status, Side.RECEIVER)
            if ACTION_OF_STATUS.get(s) in LINK_ACTIONS
        ],
    }
    return render(request, "referrals/received_detail.html", context)


@login_not_required
@require_http_methods(["GET"])
def link_document(request, document_pk):
    """A document the sender chose to share, read through the link's session: only that referral's
    documents, while the link and the consent hold; each download logged like an opening."""
    link, referral = _link_session(request)
    document = referral.shared_documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404("Document introuvable.")
    _record_link_opening(request, referral, f"Orientation reçue par lien : document « {document.title} »")
    return _document_response(document)


@login_not_required
@require_http_methods(["GET", "POST"])
def link_respond(request, action):
    if action not in LINK_ACTIONS:
        raise Http404("Page introuvable.")
    link, referral = _link_session(request)
    to_status, form_class, title, done_message = LINK_ACTIONS[action]
    _record_link_opening(request, referral, f"Orientation reçue par lien : {title.lower()}")
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.referral_transition(
                actor=None,
                organisation=None,
                referral=referral,
                to_status=to_status,
                note=data.get("note", ""),
                outcome=data.get("outcome", ""),
                link=link,
            ),
        )
        if done is not None:
            if done.status in OPEN_FOR_PARTNER:
                messages.success(request, done_message)
                return redirect("referrals:link_detail")
            request.session.pop(links.SESSION_KEY, None)
            return _link_refused(request, f"{done_message} Merci : cette orientation est terminée.", status=200)
    context = {"referral": referral, "form": form, "title": title, "action": action, "via_link": True}
    return render(request, "referrals/respond.html", context, status=400 if form.errors else 200)
