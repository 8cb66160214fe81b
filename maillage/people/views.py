import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit, grammar, versioning
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.core.ids import parse_id
from maillage.core.models import Organisation
from maillage.people import exports, selectors, services
from maillage.people.forms import (
    AddressForm,
    BreakGlassForm,
    BreakGlassSearchForm,
    ConsentForm,
    ConsentWithdrawForm,
    MergeForm,
    MergeSearchForm,
    PersonCreateForm,
    PersonForm,
    PersonSearchForm,
    PhoneForm,
    RelationForm,
)
from maillage.people.models import Consent, Person


def _next(request, default):
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_http_methods(["GET"])
def person_list(request):
    """Find a person: one search box, results as you type."""
    if not access.has_perm(request.user, request.organisation, access.Perm.VIEW_PERSON):
        raise Http404("Page introuvable.")
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if query:
        persons, parsed = selectors.person_search_list(
            actor=request.user, organisation=request.organisation, query=query
        )
    else:
        persons, parsed = selectors.person_recent_list(actor=request.user, organisation=request.organisation), None
    # A list of persons is an opening of their data: one line, how many shown, never what was typed.
    what = "Recherche de personnes" if query else "Personnes récemment suivies"
    audit.record_search(request, Person, what=f"{what} : {audit.shown_count(len(persons))}", access_path="")
    context = {
        "form": form,
        "persons": persons,
        "query": query,
        "parsed": parsed,
        "can_create": access.can_create_person(request.user, request.organisation),
        "can_break_glass": access.can_break_glass(request.user, request.organisation),
    }
    template = "people/includes/_results.html" if request.htmx else "people/person_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def person_create(request):
    if not access.can_create_person(request.user, request.organisation):
        raise Http404("Page introuvable.")
    initial = {"last_name": request.GET.get("nom", "")[:150]}
    form = PersonCreateForm(request.POST or None, initial=initial)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.possible_duplicates(actor=request.user, organisation=request.organisation, data=data)
        if duplicates and not data["not_a_duplicate"]:
            form.add_error(
                "not_a_duplicate",
                "Des fiches ressemblent à cette personne : ouvrez la bonne, "
                "ou cochez la case si ce n'est aucune d'elles.",
            )
        else:
            try:
                person = services.person_create(
                    actor=request.user,
                    organisation=request.organisation,
                    data={f: data[f] for f in PersonCreateForm.Meta.fields},
                    address={
                        "line": data["address_line"],
                        "postal_code": data["postal_code"],
                        "commune": data["commune"],
                        "housing": data["housing"],
                    }
                    if data["address_line"] or data["commune"]
                    else None,
                    phone=data["phone"],
                    email=data["email"],
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"La fiche {grammar.de(str(person))} est créée.")
                default = reverse("people:detail", args=[person.pk])
                target = _next(request, default)
                if target != default:
                    sep = "&" if "?" in target else "?"
                    target = f"{target}{sep}personne={person.pk}"
                return redirect(target)
    return render(
        request, "people/person_create.html", {"form": form, "duplicates": duplicates, "next": _next(request, "")}
    )


@require_http_methods(["GET"])
def person_detail(request, pk):
    """The person's file, as much of it as the grant opens (a break-glass: the emergency set)."""
    grant = access.person_grant_for(request, pk, access.Part.IDENTITY)
    person = selectors.person_get(grant=grant)
    grant.record(request, "Fiche de la personne")
    consents = list(grant.consents().select_related("partner"))
    context = {
        "person": person,
        "grant": grant,
        "current_address": next((a for a in person.addresses.all() if a.is_current), None),
        "past_addresses": [a for a in person.addresses.all() if not a.is_current],
        "relations": list(grant.relations()),
        "can_change": access.can_change_person(request.user, request.organisation, person),
        "can_export": grant.may_export(),
        "break_glass": grant if grant.is_break_glass else None,
        "until_time": f"{timezone.localtime(grant.until):%H:%M}" if grant.until else "",
        "consents_in_force": [c for c in consents if c.withdrawn_at is None],
        "consents_withdrawn": [c for c in consents if c.withdrawn_at is not None],
        "can_log_request": access.can_log_request(request.user, request.organisation)
        and grant.allows(access.Part.REQUESTS),
        "can_merge": access.can_merge_person(request.user, request.organisation, person),
        "can_refer": access.can_refer_person(request.user, request.organisation, person),
        # The register's status, to its manager only (grant.keeps_register).
        "keeps_register": grant.keeps_register(),
        "register_entries": list(grant.register_entries()),
    }
    if grant.is_minimal:
        context["care_team_members"] = list(
            grant.care_team().active().select_related("user", "organisation").order_by("-is_referent", "added_at")
        )
        context["plan_contacts"] = list(grant.plan_contacts())
    if grant.allows(access.Part.TIMELINE):
        # The casework around the person: one chronological view of everything that happened.
        from maillage.casework.views.timeline import timeline_context

        context.update(timeline_context(request, grant))
    context["person"] = person
    return render(request, "people/person_detail.html", context)


def _record_form_opening(request, person, title: str) -> None:
    """A form showing a person's file is an opening of it: logged once, on GET, with the grant's path."""
    if request.method == "GET":
        access.person_grant_for(request, person.pk).record(request, f"Formulaire : {title[:1].lower()}{title[1:]}")


def _edit_view(request, pk, form_class, template, handle, *, initial=None, title=""):
    person = selectors.person_get(actor=request.user, organisation=request.organisation, pk=pk, action="change")
    _record_form_opening(request, person, title)
    form = form_class(request.POST or None, initial=initial(person) if initial else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = handle(person, form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect("people:detail", pk=person.pk)
    return render(request, template, {"person": person, "form": form, "title": title})


@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = selectors.person_get(actor=request.user, organisation=request.organisation, pk=pk, action="change")
    _record_form_opening(request, person, "Modifier l'identité")
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                organisation=request.organisation,
                person=person,
                data={f: form.cleaned_data[f] for f in PersonForm.Meta.fields},
                version=form.expected_version(),
            )
        except versioning.StaleVersionError as exc:
            conflict = form.show_conflict(exc)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "La fiche est mise à jour.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {"person": person, "form": form, "title": "Modifier l'identité", "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def address_set(request, pk):
    def handle(person, data):
        services.person_address_set(actor=request.user, organisation=request.organisation, person=person, **data)
        return "La nouvelle adresse est enregistrée ; l'ancienne est gardée dans l'historique."

    return _edit_view(request, pk, AddressForm, "people/person_form.html", handle, title="Nouvelle adresse")


@require_http_methods(["GET", "POST"])
def phone_add(request, pk):
    def handle(person, data):
        services.person_phone_add(actor=request.user, organisation=request.organisation, person=person, **data)
        return "Le numéro est ajouté."

    return _edit_view(request, pk, PhoneForm, "people/person_form.html", handle, title="Ajouter un téléphone")


@require_http_methods(["GET", "POST"])
def relation_create(request, pk):
    def handle(person, data):
        services.relation_create(actor=request.user, organisation=request.organisation, person=person, data=data)
        return "La personne de l'entourage est ajoutée."

    return _edit_view(request, pk, RelationForm, "people/person_form.html", handle, title="Ajouter à l'entourage")


def _partner_choices(request, person, query: str, chosen_id: str) -> dict:
    """The organisations matching `query`, the one already chosen first and ticked."""
    from maillage.core.selectors import organisation_search

    chosen_pk = parse_id(chosen_id)
    chosen = Organisation.objects.active().exclude(pk=person.organisation_id).filter(pk=chosen_pk).first()
    excluded = [person.organisation_id] + ([chosen.pk] if chosen else [])
    found = organisation_search(query, exclude_pks=excluded) if query.strip() else []
    return {
        "partners": ([chosen] if chosen else []) + found,
        "chosen_partner_id": chosen.pk if chosen else None,
        "partner_query": query,
    }


@require_http_methods(["GET", "POST"])
def consent_create(request, pk):
    """Record a consent. The partner of a consent to share is searched (name, SIRET, commune) and
    chosen from the list: live with htmx (`consent_partners`), or by the « Chercher » button, which
    sends the whole form back with what was typed and saves nothing."""
    person = selectors.person_get(actor=request.user, organisation=request.organisation, pk=pk, action="change")
    title = "Enregistrer un consentement"
    _record_form_opening(request, person, title)
    searching = request.method == "POST" and "chercher" in request.POST
    data = request.POST if request.method == "POST" and not searching else None
    initial = request.POST.dict() if searching else {"given_on": timezone.localdate()}
    form = ConsentForm(data, person=person, initial=initial)
    if data is not None and form.is_valid():
        try:
            services.consent_record(
                actor=request.user, organisation=request.organisation, person=person, **form.cleaned_data
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Le consentement est enregistré.")
            return redirect("people:detail", pk=person.pk)
    source = request.POST if request.method == "POST" else request.GET
    context = {
        "person": person,
        "form": form,
        "title": title,
        **_partner_choices(request, person, source.get("partner_q", ""), source.get("partner", "")),
    }
    return render(request, "people/consent_form.html", context)


@require_http_methods(["GET"])
def consent_partners(request, pk):
    """The live search of the consent's partner: the fragment of organisations found (htmx), or the
    consent form with them. Through the person's grant, as the form it serves."""
    person = selectors.person_get(actor=request.user, organisation=request.organisation, pk=pk, action="change")
    context = _partner_choices(request, person, request.GET.get("partner_q", ""), request.GET.get("partner", ""))
    if not request.htmx:
        form = ConsentForm(person=person, initial={"given_on": timezone.localdate()})
        return render(
            request,
            "people/consent_form.html",
            {"person": person, "form": form, "title": "Enregistrer un consentement", **context},
        )
    return render(request, "people/includes/_partner_choices.html", context)


@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk, consent_pk):
    def handle(person, data):
        consent = Consent.objects.filter(person=person, pk=consent_pk).first()
        if consent is None:
            raise Http404("Consentement introuvable.")
        services.consent_withdraw(actor=request.user, organisation=request.organisation, consent=consent, **data)
        return "Le retrait du consentement est enregistré."

    return _edit_view(
        request, pk, ConsentWithdrawForm, "people/person_form.html", handle, title="Retirer un consentement"
    )


def _merged_meanwhile(request, pk):
    """A file merged into another meanwhile (the opposite merge won): to those who may merge, say
    so and open the file it joined, in place of a 404."""
    tombstone = Person.all_objects.filter(pk=pk, organisation=request.organisation, merged_into__isnull=False).first()
    if tombstone is None or not access.can_merge_person(request.user, request.organisation, tombstone):
        return None
    messages.error(request, services.merged_message(tombstone))
    return redirect("people:detail", pk=tombstone.merged_into_id)


def _merge_kept(request, pk) -> Person:
    kept = selectors.person_get(actor=request.user, organisation=request.organisation, pk=pk, action="change")
    if not access.can_merge_person(request.user, request.organisation, kept):
        raise Http404("Page introuvable.")
    return kept


@require_http_methods(["GET"])
def person_merge(request, pk):
    """Merging, step 1: choose the duplicate among the look-alikes or by a search in the
    organisation's files; and the recent merges into this file, which can be undone."""
    merged = _merged_meanwhile(request, pk)
    if merged is not None:
        return merged
    kept = _merge_kept(request, pk)
    _record_form_opening(request, kept, "Fusionner deux fiches")
    form = MergeSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    candidates = selectors.merge_candidates(
        actor=request.user, organisation=request.organisation, kept=kept, query=query
    )
    context = {
        "person": kept,
        "form": form,
        "query": query,
        "candidates": candidates,
        "undoable": services.merged_into_list(kept),
        "undo_days": services.merge_undo_delay().days,
    }
    return render(request, "people/person_merge.html", context)


@require_http_methods(["GET", "POST"])
def person_merge_compare(request, pk, duplicate_pk):
    """Merging, step 2: both files side by side, a choice for each differing identity field, and
    an explicit confirmation."""
    merged = _merged_meanwhile(request, pk) or _merged_meanwhile(request, duplicate_pk)
    if merged is not None:
        return merged
    kept = _merge_kept(request, pk)
    duplicate = Person.objects.filter(pk=duplicate_pk, organisation=request.organisation).exclude(pk=kept.pk).first()
    if duplicate is None or not access.can_merge_person(request.user, request.organisation, duplicate):
        raise Http404("Fiche introuvable.")
    # Both files are shown side by side: two openings.
    _record_form_opening(request, kept, "Comparaison avant fusion")
    _record_form_opening(request, duplicate, "Comparaison avant fusion")
    differences = services.merge_field_differences(kept, duplicate)
    data = request.POST if request.method == "POST" else None  # an empty POST is still a submission
    form = MergeForm(data, kept=kept, duplicate=duplicate, differences=differences)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_merge(
                actor=request.user,
                organisation=request.organisation,
                kept=kept,
                duplicate=duplicate,
                choices=form.choices(),
                versions=(form.cleaned_data["kept_version"], form.cleaned_data["duplicate_version"]),
            )
        except versioning.StaleVersionError:
            return _merge_compare_page(
                request,
                kept.pk,
                duplicate.pk,
                "Une des deux fiches a été modifiée entre-temps : la comparaison ci-dessous est à jour ; "
                "vérifiez-la, puis confirmez de nouveau.",
            )
        except (ApplicationError, ValidationError) as exc:
            form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(
                request,
                f"La fiche n° {duplicate.pk} est fusionnée dans celle {grammar.de(str(kept))}. "
                "La fusion peut être annulée pendant "
                f"{services.merge_undo_delay().days} jours depuis la page « Fusionner ».",
            )
            return redirect("people:detail", pk=kept.pk)
    return _render_compare(request, kept, duplicate, form)


def _merge_compare_page(request, kept_pk, duplicate_pk, error):
    """The comparison read again after a refused merge, with the refusal on top."""
    kept = Person.objects.get(pk=kept_pk)
    duplicate = Person.objects.filter(pk=duplicate_pk).first()
    if duplicate is None:
        messages.error(request, "La fiche en double a été fusionnée entre-temps.")
        return redirect("people:merge", pk=kept.pk)
    form = MergeForm(kept=kept, duplicate=duplicate, differences=services.merge_field_differences(kept, duplicate))
    return _render_compare(request, kept, duplicate, form, error=error)


def _render_compare(request, kept, duplicate, form, *, error=""):
    context = {
        "error": error,
        "person": kept,
        "duplicate": duplicate,
        "form": form,
        "comparison": selectors.merge_comparison(kept, duplicate),
        "has_choices": any(name.startswith("choice_") for name in form.fields),
        "undo_days": services.merge_undo_delay().days,
    }
    return render(request, "people/person_merge_compare.html", context)


@require_http_methods(["POST"])
def person_merge_undo(request, pk, tombstone_pk):
    """Undo a recent merge into this file: the other file comes back with what it held."""
    kept = _merge_kept(request, pk)
    tombstone = services.merged_into_list(kept).filter(pk=tombstone_pk).first()
    if tombstone is None:
        raise Http404("Fusion introuvable.")
    try:
        restored = services.person_merge_undo(
            actor=request.user, organisation=request.organisation, tombstone=tombstone
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("people:merge", pk=kept.pk)
    messages.success(
        request, f"La fusion est annulée : la fiche n° {restored.pk} {grammar.de(str(restored))} est rétablie."
    )
    return redirect("people:detail", pk=restored.pk)


@require_http_methods(["GET"])
def person_export(request, pk, fmt):
    """The person's right of access (RGPD art. 15): everything held, as JSON or PDF."""
    if fmt not in ("json", "pdf"):
        raise Http404("Format inconnu.")
    grant = access.person_grant_for(request, pk)
    if not grant.may_export():
        raise Http404("Personne introuvable.")
    person = grant.person
    grant.record(request, f"Export du droit d'accès ({fmt.upper()})")
    data = exports.person_data(grant)
    filename = f"droit-d-acces-{person.pk}-{timezone.localdate():%Y%m%d}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(exports.person_pdf(person, data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
def break_glass(request):
    """Emergency: find a person of another organisation by exact last name and birth date, and open
    the emergency set of the file (or, for a coordinator who says why, the whole file) for a few
    hours with a written reason, flagged to the data-protection officer. Every search is logged."""
    if not access.can_break_glass(request.user, request.organisation):
        raise Http404("Page introuvable.")
    search_form = BreakGlassSearchForm(request.GET or None)
    candidates = []
    if search_form.is_valid():
        candidates = selectors.break_glass_candidates(
            actor=request.user, organisation=request.organisation, **search_form.cleaned_data
        )
        if request.method == "GET":
            count = len(candidates)
            audit.record_search(
                request,
                Person,
                what=f"Recherche d'accès exceptionnel : {count} personne{'s' if count > 1 else ''} "
                f"trouvée{'s' if count > 1 else ''}",
            )
    full_allowed = access.role_in(request.user, request.organisation) in access.BREAK_GLASS_FULL_ROLES
    grant_form = BreakGlassForm(request.POST or None, full_allowed=full_allowed, candidates=candidates)
    if request.method == "POST" and grant_form.is_valid():
        person = next(p for p in candidates if p.pk == grant_form.cleaned_data["person"])
        try:
            opened = services.person_break_glass(
                actor=request.user,
                organisation=request.organisation,
                person=person,
                reason=grant_form.cleaned_data["reason"],
                scope=grant_form.cleaned_data.get("scope", "minimal"),
            )
        except ValidationError as exc:
            add_validation_errors(grant_form, exc)
        except ApplicationError as exc:
            grant_form.add_error(None, exc.message)
        else:
            audit.record_access(
                request,
                person,
                what="Accès exceptionnel accordé"
                + (" (dossier complet)" if opened.scope == "full" else " (informations d'urgence)"),
                reason=opened.reason,
                access_path="break_glass",
            )
            messages.warning(
                request,
                f"Accès exceptionnel ouvert jusqu'à {timezone.localtime(opened.expires_at):%H:%M} ; "
                "il est signalé au délégué à la protection des données.",
            )
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/break_glass.html",
        {
            "search_form": search_form,
            "grant_form": grant_form,
            "candidates": candidates,
            "searched": search_form.is_bound,
        },
    )
