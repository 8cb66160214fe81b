"""The register for its manager (issue 13, point 1): the list, an entry's page and its actions, the
registration of a person, the yearly confirmation, the re-entry of a paper form.

Every view is the register manager's of the organisation they work for (`access.can_manage_register`;
404 for anyone else, as for an absent page); every page that shows an entry writes its opening in
the trail with the path « organisation »."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit, grammar
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors, run_service
from maillage.people import selectors as people_selectors
from maillage.people.enums import ConsentChannel, ConsentGiver, RelationKind
from maillage.people.forms import PersonSearchForm
from maillage.people.models import Person
from maillage.register import texts
from maillage.register.enums import EntrySource, EntryStatus
from maillage.register.forms.entries import (
    ConfirmEntryForm,
    ConsentRecordForm,
    EntryCreateForm,
    EntryEditForm,
    EntryFilterForm,
    PaperEntryForm,
    RemoveForm,
    SuspendForm,
)
from maillage.register.models import RegisterEntry
from maillage.register.selectors import entries as selectors
from maillage.register.services import entries as services
from maillage.register.services.public import entry_request_public
from maillage.register.services.sponsorships import every_days_phrase

PATH = "organisation"
PAGE_SIZE = 50


def _manager(request) -> None:
    if not access.can_manage_register(request.user, request.organisation):
        raise Http404("Page introuvable.")


def _entry(request, pk) -> RegisterEntry:
    return selectors.entry_get(actor=request.user, organisation=request.organisation, pk=pk)


def _record(request, entry, what: str) -> None:
    if request.method == "GET":
        audit.record_access(request, entry, what=what, access_path=PATH)


def _done(request, entry, message):
    messages.success(request, message)
    return redirect("register:detail", pk=entry.pk)


@require_http_methods(["GET"])
def entry_list(request):
    """The register: counts, filters (status, name, priority, commune, neighbourhood), entries."""
    _manager(request)
    communes = selectors.served_communes(request.organisation)
    form = EntryFilterForm(request.GET or None, communes=communes)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.entry_list(
        actor=request.user,
        organisation=request.organisation,
        status=filters.get("status", ""),
        query=filters.get("q", ""),
        priority=filters.get("priority", ""),
        commune=filters.get("commune"),
        neighbourhood=filters.get("neighbourhood", ""),
        no_address=filters.get("no_address", False),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_search(
        request, Person, what=f"Registre : {audit.shown_count(len(page.object_list), 'inscription')}", access_path=PATH
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "query": query.urlencode(),
        "counts": selectors.entry_counts(actor=request.user, organisation=request.organisation),
        "statuses": EntryStatus.choices,
    }
    return render(request, "register/entries/list.html", context)


@require_http_methods(["GET"])
def entry_to_confirm(request):
    """« Inscriptions à confirmer »: active entries not confirmed for twelve months."""
    _manager(request)
    entries = selectors.entries_to_confirm(actor=request.user, organisation=request.organisation)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_search(
        request,
        Person,
        what=f"Inscriptions à confirmer : {audit.shown_count(len(page.object_list), 'inscription')}",
        access_path=PATH,
    )
    context = {"page_obj": page, "due_before": selectors.confirmation_due_before()}
    return render(request, "register/entries/to_confirm.html", context)


@require_http_methods(["GET"])
def entry_detail(request, pk):
    entry = _entry(request, pk)
    _record(request, entry, "Inscription au registre")
    person = entry.person
    relations = list(person.relations.all())
    sponsorship = entry.sponsorships.filter(ended_on__isnull=True).select_related("volunteer").first()
    context = {
        "sponsorship": sponsorship,
        "sponsorship_every": every_days_phrase(sponsorship.every_days) if sponsorship else "",
        "sponsorship_pending": (
            every_days_phrase(sponsorship.pending_every_days) if sponsorship and sponsorship.pending_every_days else ""
        ),
        "entry": entry,
        "person": person,
        "current_address": next((a for a in person.addresses.all() if a.is_current), None),
        "phones": sorted(person.phones.all(), key=lambda p: (not p.is_preferred, p.pk)),
        "emergency_contacts": [
            r for r in relations if r.is_emergency_contact or r.kind == RelationKind.LEGAL_REPRESENTATIVE
        ],
        "isolation_labels": entry.isolation_labels(),
        "language_label": entry.language_label(),
        "history": selectors.entry_history(entry),
        "to_confirm": entry.status == EntryStatus.ACTIVE
        and (entry.confirmed_on is None or entry.confirmed_on <= selectors.confirmation_due_before()),
    }
    return render(request, "register/entries/detail.html", context)


def _person_for_registration(request, raw):
    try:
        person = access.get_person_for(request.user, request.organisation, raw, "view")
    except Http404:
        return None
    return person if person.organisation_id == request.organisation.pk else None


@require_http_methods(["GET", "POST"])
def entry_create(request):
    """Register a person: first find their file (the persons' search) or create it (the reception's
    form, duplicates checked), then the register's fields and, for their own request, their consent."""
    _manager(request)
    raw = request.GET.get("personne") or request.POST.get("personne")
    person = _person_for_registration(request, raw) if raw else None
    if person is None:
        return _registration_search(request)
    if request.method == "GET":
        audit.record_access(request, person, what="Formulaire : inscription au registre", access_path=PATH)
    callers = selectors.caller_choices(request.organisation)
    initial = {"requested_on": timezone.localdate(), "source": EntrySource.SELF, "received_via": "desk"}
    form = EntryCreateForm(request.POST or None, initial=initial, person=person, callers=callers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entry = run_service(
            form,
            lambda: services.entry_register(
                actor=request.user,
                organisation=request.organisation,
                person=person,
                data={k: data[k] for k in services.ENTRY_FIELDS if k in data},
                consent_channel=data["consent_channel"] if not EntrySource.needs_consent(data["source"]) else "",
                consent_wording=texts.consent_text(request.organisation)
                if not EntrySource.needs_consent(data["source"])
                else "",
                known_by_callers=list(data["known_by_callers"]),
            ),
        )
        if entry is not None:
            message = (
                f"L'inscription {grammar.de(person.full_name)} au registre est active."
                if entry.status == EntryStatus.ACTIVE
                else f"L'inscription {grammar.de(person.full_name)} attend son consentement."
            )
            return _done(request, entry, message)
    context = {"form": form, "person": person, "consent_text": texts.consent_text(request.organisation)}
    return render(request, "register/entries/create.html", context)


def _registration_search(request):
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    persons = []
    if query:
        found, _parsed = people_selectors.person_search_list(
            actor=request.user, organisation=request.organisation, query=query
        )
        persons = [p for p in found if p.organisation_id == request.organisation.pk]
        audit.record_search(
            request, Person, what=f"Inscription au registre : {audit.shown_count(len(persons))}", access_path=PATH
        )
    registered = set(
        access.entries_visible_to(request.user, request.organisation)
        .current()
        .filter(person__in=[p.pk for p in persons])
        .values_list("person_id", flat=True)
    )
    create_url = f"{reverse('people:create')}?next={reverse('register:create')}"
    context = {"form": form, "query": query, "persons": persons, "registered": registered, "create_url": create_url}
    return render(request, "register/entries/create_search.html", context)


@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    entry = _entry(request, pk)
    _record(request, entry, "Formulaire : modifier l'inscription au registre")
    if entry.status == EntryStatus.REMOVED:
        raise Http404("Page introuvable.")
    callers = selectors.caller_choices(request.organisation)
    form = EntryEditForm(
        request.POST or None,
        instance=RegisterEntry.objects.get(pk=entry.pk),
        person=entry.person,
        callers=callers,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.entry_update(
                actor=request.user,
                organisation=request.organisation,
                entry=entry,
                data={k: data[k] for k in services.EDITABLE_FIELDS if k in data},
                known_by_callers=list(data["known_by_callers"]),
            ),
        )
        if done is not None:
            return _done(request, entry, "L'inscription est mise à jour.")
    return render(request, "register/entries/edit.html", {"entry": entry, "form": form})


@require_http_methods(["GET", "POST"])
def entry_consent(request, pk):
    """Record the person's consent to a pending entry: date, channel, agent (the user), the words."""
    entry = _entry(request, pk)
    _record(request, entry, "Formulaire : consentement à l'inscription au registre")
    if entry.status != EntryStatus.PENDING_CONSENT:
        messages.info(request, "Cette inscription n'attend pas de consentement.")
        return redirect("register:detail", pk=entry.pk)
    initial = {
        "given_on": timezone.localdate(),
        "channel": ConsentChannel.ONLINE if entry.consent_wording else ConsentChannel.ORAL,
        "given_by": ConsentGiver.LEGAL_REPRESENTATIVE
        if entry.source == EntrySource.LEGAL_REPRESENTATIVE
        else ConsentGiver.PERSON,
        "wording": entry.consent_wording or texts.consent_text(request.organisation),
        "subscribes_to_information": entry.subscribes_to_information,
    }
    form = ConsentRecordForm(
        request.POST or None,
        initial=initial,
        possible_duplicate=entry.possible_duplicate,
        needs_category=not entry.legal_category,
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.entry_record_consent(
                actor=request.user, organisation=request.organisation, entry=entry, **form.cleaned_data
            ),
        )
        if done is not None:
            return _done(
                request,
                entry,
                f"L'accord {grammar.de(entry.person.full_name)} est noté : son inscription au registre est active.",
            )
    return render(request, "register/entries/consent.html", {"entry": entry, "form": form})


@require_http_methods(["GET", "POST"])
def entry_suspend(request, pk):
    entry = _entry(request, pk)
    _record(request, entry, "Formulaire : suspendre l'inscription au registre")
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.entry_suspend(
                actor=request.user, organisation=request.organisation, entry=entry, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            return _done(request, entry, "L'inscription est suspendue : la personne ne sera pas appelée.")
    return render(
        request,
        "register/entries/action.html",
        {"entry": entry, "form": form, "heading": "Suspendre l'inscription", "button_label": "Suspendre"},
    )


@require_http_methods(["POST"])
def entry_resume(request, pk):
    entry = _entry(request, pk)
    try:
        services.entry_resume(actor=request.user, organisation=request.organisation, entry=entry)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("register:detail", pk=entry.pk)
    return _done(request, entry, "L'inscription est de nouveau active.")


@require_http_methods(["GET", "POST"])
def entry_remove(request, pk):
    """Remove the entry, on a page of its own: at the person's request it is immediate (CASF R121-7)."""
    entry = _entry(request, pk)
    _record(request, entry, "Formulaire : radier l'inscription au registre")
    if entry.status == EntryStatus.REMOVED:
        raise Http404("Page introuvable.")
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.entry_remove(
                actor=request.user,
                organisation=request.organisation,
                entry=entry,
                reason=data["reason"],
                at_persons_request=data["at_persons_request"] == "yes",
            ),
        )
        if done is not None:
            return _done(request, entry, "L'inscription est radiée. La fiche de la personne reste dans la structure.")
    back_url = reverse("register:detail", args=[entry.pk])
    context = {
        "entry": entry,
        "person": entry.person,
        "form": form,
        "heading": f"Radier l'inscription {grammar.de(entry.person.full_name)}",
        "consequences": [
            "La personne ne sera plus appelée pendant les alertes ; ses appels prévus sont annulés et son "
            "parrainage arrêté.",
            "Son accord à l'inscription est retiré. Sa fiche reste dans la structure pour ses autres démarches.",
        ],
        "button_label": "Radier",
        "button_kind": "warning",
        "back_url": back_url,
        "back_label": "Retour à l'inscription",
    }
    return render(request, "register/entries/remove.html", context)


@require_http_methods(["GET", "POST"])
def entry_confirm(request, pk):
    """The person said they wish to stay on the register (the yearly confirmation)."""
    entry = _entry(request, pk)
    _record(request, entry, "Formulaire : confirmer l'inscription au registre")
    form = ConfirmEntryForm(request.POST or None, initial={"confirmed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_confirm(
                actor=request.user,
                organisation=request.organisation,
                entry=entry,
                on=form.cleaned_data["confirmed_on"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "L'inscription est confirmée pour un an.")
            if request.POST.get("next") == "to_confirm":
                return redirect("register:to_confirm")
            return redirect("register:detail", pk=entry.pk)
    return render(
        request,
        "register/entries/action.html",
        {
            "entry": entry,
            "form": form,
            "heading": "Inscription confirmée",
            "intro": "La personne souhaite rester inscrite au registre cette année.",
            "button_label": "Confirmer",
            "next": request.GET.get("next", ""),
        },
    )


@require_http_methods(["GET", "POST"])
def paper_entry(request):
    """Type a paper form received (fields in the paper form's order); signed: its consent channel is
    « papier signé », dated by the signature."""
    _manager(request)
    communes = selectors.served_communes(request.organisation)
    form = PaperEntryForm(request.POST or None, communes=communes, initial={"requested_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            entry = entry_request_public(
                organisation=request.organisation,
                person_data=form.person_data(),
                address=form.address(),
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                contact=form.contact(),
                data={**form.entry_data(), "requested_on": form.cleaned_data["requested_on"]},
                received_via="paper",
                actor=request.user,
                signed_on=form.cleaned_data.get("signed_on"),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if entry is None:
                form.add_error(None, services.ALREADY_REGISTERED)
            else:
                return _done(request, entry, "Le formulaire papier est saisi.")
    context = {
        "form": form,
        "consent_text": texts.consent_text(request.organisation),
        "information_text": texts.information_text(request.organisation),
    }
    return render(request, "register/entries/paper_entry.html", context)
