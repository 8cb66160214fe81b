"""The register manager's campaign pages (issue 13, points 4 and 8): list, build (with the count of
persons the selection calls, htmx), the interview guide in sections, the campaign page (status,
counts, callers and their loads), open, close, dispatch again, printable call sheets and the fast
re-entry of paper sheets."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maillage.core import access, audit
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.core.grammar import count as plural
from maillage.core.models import User
from maillage.core.pdf import html_to_pdf
from maillage.people.models import Person
from maillage.register import scripts, selectors_campaigns, sheets
from maillage.register.enums import CallStatus, CampaignStatus
from maillage.register.forms_campaigns import CallersForm, CampaignForm, ReentryRowForm, ScriptForm
from maillage.register.models.campaigns import SCRIPT_SECTIONS
from maillage.register.services import campaigns as campaign_services
from maillage.register.services.calls import call_record_outcome
from maillage.register.services.guide import campaign_set_script


def _manager_only(request) -> None:
    if not access.can_manage_register(request.user, request.organisation):
        raise Http404("Page introuvable.")


def _campaign(request, pk):
    return access.get_campaign_for(request.user, request.organisation, pk)


@require_GET
def campaign_list(request):
    _manager_only(request)
    campaigns = list(access.campaigns_visible_to(request.user, request.organisation))
    counts = {c.pk: selectors_campaigns.campaign_counts(c) for c in campaigns}
    rows = [{"campaign": c, "counts": counts[c.pk]} for c in campaigns]
    return render(request, "register/campaigns/list.html", {"rows": rows})


def _initial(organisation) -> dict:
    from django.conf import settings

    return {
        "max_attempts": settings.REGISTER_MAX_ATTEMPTS,
        "retry_delays": ", ".join(str(d) for d in settings.REGISTER_RETRY_DELAYS_MINUTES),
    }


@require_http_methods(["GET", "POST"])
def campaign_create(request):
    """Build a campaign: what to call, who calls, how many tries; the guide comes next."""
    _manager_only(request)
    organisation = request.organisation
    initial = _initial(organisation)
    crises = access.crises_visible_to(request.user, organisation).filter(ended_at__isnull=True)
    if crises.count() == 1:
        initial["crisis"] = crises.first()
    form = CampaignForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        crisis = data.get("crisis")
        try:
            campaign = campaign_services.campaign_create(
                actor=request.user,
                organisation=organisation,
                title=data["title"],
                purpose=data["purpose"],
                crisis=crisis,
                selection=form.selection(),
                script=scripts.default_script(
                    purpose=data["purpose"], crisis_kind=crisis.kind if crisis else None, organisation=organisation
                ),
                callers=form.chosen_callers(),
                max_attempts=data["max_attempts"],
                retry_delays=data["retry_delays"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            count = campaign.calls.count()
            messages.success(
                request,
                f"La campagne est préparée : {plural(count, 'personne à appeler', 'personnes à appeler')}. "
                "Relisez maintenant le guide d'entretien.",
            )
            return redirect("campaigns:script", pk=campaign.pk)
    context = {"form": form, "count": _selection_count(form, organisation) if form.is_bound else None}
    if context["count"] is None:
        context["count"] = campaign_services.selected_entries(organisation, {}).count()
    return render(request, "register/campaigns/create.html", context)


def _selection_count(form, organisation) -> int | None:
    """How many active entries the form's selection names (with the fields that are valid)."""
    fields = ("purpose", "priority", "communes", "neighbourhoods")
    data = getattr(form, "cleaned_data", None)
    if data is None:
        form.is_valid()
        data = form.cleaned_data
    if any(name in form.errors for name in fields if name in form.fields):
        return None
    return campaign_services.selected_entries(organisation, form.selection()).count()


@require_GET
def campaign_count(request):
    """The count of persons the selection being built calls (htmx fragment, and its page without JS)."""
    _manager_only(request)
    form = CampaignForm(request.GET, organisation=request.organisation)
    count = _selection_count(form, request.organisation)
    return render(request, "register/campaigns/includes/_count.html", {"count": count})


@require_GET
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    context = {
        "campaign": campaign,
        "counts": selectors_campaigns.campaign_counts(campaign),
        "loads": selectors_campaigns.caller_loads(campaign),
        "sections": campaign.script_sections(),
        "selection": _selection_words(campaign),
    }
    return render(request, "register/campaigns/detail.html", context)


def _selection_words(campaign) -> list[str]:
    from maillage.core.models import Commune

    selection, words = campaign.selection or {}, []
    if selection.get("priority"):
        words.append("les personnes prioritaires seulement")
    if selection.get("communes"):
        names = Commune.objects.filter(code__in=selection["communes"]).order_by("name").values_list("name", flat=True)
        words.append("communes : " + ", ".join(names))
    if selection.get("neighbourhoods"):
        words.append("quartiers : " + ", ".join(selection["neighbourhoods"]))
    if selection.get("unconfirmed_months"):
        words.append(f"inscriptions non confirmées depuis {selection['unconfirmed_months']} mois")
    return words or ["toutes les personnes inscrites"]


@require_http_methods(["GET", "POST"])
def campaign_script(request, pk):
    """The interview guide, section by section."""
    campaign = _campaign(request, pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise Http404("Page introuvable.")
    initial = {name: getattr(campaign, name) for name, _ in SCRIPT_SECTIONS}
    form = ScriptForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_set_script(actor=request.user, campaign=campaign, script=form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Le guide d'entretien est enregistré.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "register/campaigns/script.html", {"campaign": campaign, "form": form})


@require_http_methods(["GET", "POST"])
def campaign_callers(request, pk):
    campaign = _campaign(request, pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise Http404("Page introuvable.")
    initial = {"callers": [str(pk) for pk in campaign.callers.values_list("pk", flat=True)]}
    form = CallersForm(request.POST or None, organisation=request.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_services.campaign_set_callers(
                actor=request.user, campaign=campaign, callers=form.chosen_callers()
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Les appelants sont enregistrés.")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "register/campaigns/callers.html", {"campaign": campaign, "form": form})


@require_http_methods(["GET", "POST"])
def campaign_open(request, pk):
    campaign = _campaign(request, pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise Http404("Page introuvable.")
    if request.method == "POST":
        try:
            campaign_services.campaign_open(actor=request.user, campaign=campaign)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            counts = selectors_campaigns.campaign_counts(campaign)
            text = f"La campagne est ouverte : {plural(counts.assigned, 'appel attribué', 'appels attribués')}"
            if counts.to_do:
                text += f", {plural(counts.to_do, 'appel', 'appels')} pour le premier appelant disponible"
            messages.success(request, text + ".")
        return redirect("campaigns:detail", pk=campaign.pk)
    return render(
        request,
        "register/campaigns/confirm.html",
        {
            "campaign": campaign,
            "heading": "Ouvrir la campagne",
            "lines": [
                "Les appels sont répartis entre les appelants dès l'ouverture : chacun les voit dans « Mes appels ».",
                "Chaque appelant voit, pour les seules personnes qu'il appelle, leurs coordonnées et le guide "
                "d'entretien.",
            ],
            "button": "Ouvrir la campagne",
            "kind": "primary",
        },
    )


@require_http_methods(["GET", "POST"])
def campaign_close(request, pk):
    campaign = _campaign(request, pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise Http404("Page introuvable.")
    counts = selectors_campaigns.campaign_counts(campaign)
    if request.method == "POST":
        try:
            campaign_services.campaign_close(actor=request.user, campaign=campaign)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "La campagne est terminée.")
        return redirect("campaigns:detail", pk=campaign.pk)
    still_open = counts.to_do + counts.assigned + counts.retry
    lines = ["Les appelants ne verront plus cette campagne ; aucune issue ne pourra plus être enregistrée."]
    if still_open:
        lines.insert(
            0,
            f"{plural(still_open, 'appel n’est pas fait', 'appels ne sont pas faits')} : "
            f"{'il sera annulé' if still_open == 1 else 'ils seront annulés'}.",
        )
    return render(
        request,
        "register/campaigns/confirm.html",
        {
            "campaign": campaign,
            "heading": "Terminer la campagne",
            "lines": lines,
            "button": "Terminer la campagne",
            "kind": "warning",
        },
    )


@require_POST
def campaign_dispatch(request, pk):
    """Dispatch again the calls nobody has (after adding callers, for instance)."""
    campaign = _campaign(request, pk)
    if campaign.status != CampaignStatus.OPEN:
        raise Http404("Page introuvable.")
    with transaction.atomic():
        report = campaign_services.dispatch(campaign)
    if report.assigned:
        text = f"{plural(report.assigned, 'appel attribué', 'appels attribués')}"
        if report.unassigned:
            text += (
                f" ; {plural(report.unassigned, 'appel reste', 'appels restent')} pour le premier appelant disponible"
            )
        messages.success(request, text + ".")
    else:
        messages.info(
            request, "Aucun appel à attribuer : chaque appel a déjà son appelant, ou personne ne peut le prendre."
        )
    return redirect("campaigns:detail", pk=campaign.pk)


# --- Paper call sheets ---------------------------------------------------------------------------

NO_CALLER = "sans-appelant"


def _sheet_caller(campaign, who):
    """The caller whose sheets are printed (`who`: their id), or None for the unassigned calls."""
    if who == NO_CALLER:
        return None
    try:
        caller_pk = int(who)
    except ValueError:
        raise Http404("Appelant introuvable.") from None
    caller = campaign.callers.filter(pk=caller_pk).first() or _assigned_caller(campaign, caller_pk)
    if caller is None:
        raise Http404("Appelant introuvable.")
    return caller


@require_GET
def campaign_sheets(request, pk):
    """Choose whose sheets to print (each caller, or the calls nobody has), and how."""
    campaign = _campaign(request, pk)
    if campaign.status != CampaignStatus.OPEN:
        raise Http404("Page introuvable.")
    loads = selectors_campaigns.caller_loads(campaign)
    unassigned = campaign.calls.filter(status=CallStatus.TO_DO, assigned_to__isnull=True).count()
    return render(
        request,
        "register/campaigns/sheets.html",
        {"campaign": campaign, "loads": loads, "unassigned": unassigned, "no_caller": NO_CALLER},
    )


@require_GET
def campaign_sheets_pdf(request, pk, who):
    """The paper call sheets of one caller (or of the unassigned calls): one page per call, or one
    compact table (`?presentation=tableau`). Minimal data only (register.sharing), one trail line
    with the count (no names)."""
    campaign = _campaign(request, pk)
    if campaign.status != CampaignStatus.OPEN:
        raise Http404("Page introuvable.")
    caller = _sheet_caller(campaign, who)
    compact = request.GET.get("presentation") == "tableau"
    calls = list(sheets.sheet_calls(campaign, caller))
    html = sheets.sheets_html(campaign, caller, calls, compact=compact)
    audit.record_search(
        request,
        Person,
        what=f"Fiches d'appel imprimées : {audit.shown_count(len(calls))}",
        access_path="",
    )
    if request.GET.get("format") == "html":  # the PDF's HTML, as the care plan's (the access matrix reads it)
        return HttpResponse(html)
    name = f"fiches-appel-{timezone.localdate():%Y-%m-%d}"
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def campaign_reentry(request, pk, caller_pk):
    """The fast re-entry of one caller's paper sheet: every call of it, its outcome and needs, saved
    in one submit — all or nothing (decisions.md): a row in error saves no row, every row keeps what
    was typed, and each error names its row."""
    campaign = _campaign(request, pk)
    if campaign.status != CampaignStatus.OPEN:
        raise Http404("Page introuvable.")
    caller = campaign.callers.filter(pk=caller_pk).first() or _assigned_caller(campaign, caller_pk)
    calls = list(sheets.sheet_calls(campaign, caller))
    rows = [
        {
            "call": call,
            "form": ReentryRowForm(request.POST or None, prefix=f"appel-{call.pk}", initial={"version": call.version}),
            "line": i,
            "legend": f"Ligne {i} — {call.person.full_name}",
        }
        for i, call in enumerate(calls, start=1)
    ]
    errors = []
    if request.method == "POST":
        saved = _reentry_save(request, campaign, caller, rows, errors)
        if saved is not None:
            if saved:
                messages.success(
                    request,
                    f"{plural(saved, 'issue enregistrée', 'issues enregistrées')} "
                    f"pour les appels de {caller.get_full_name() or caller.email}.",
                )
            else:
                messages.info(request, "Aucune issue à enregistrer : aucune ligne n'a été remplie.")
            return redirect("campaigns:detail", pk=campaign.pk)
    else:
        audit.record_search(
            request, Person, what=f"Saisie des fiches papier : {audit.shown_count(len(calls))}", access_path=""
        )
    return render(
        request,
        "register/campaigns/reentry.html",
        {"campaign": campaign, "caller": caller, "rows": rows, "errors": errors},
    )


def _assigned_caller(campaign, caller_pk):
    """A former caller of the campaign who still has calls of it (removed from the list since)."""
    if not campaign.calls.filter(assigned_to_id=caller_pk).exists():
        raise Http404("Appelant introuvable.")
    return User.objects.get(pk=caller_pk)


def _reentry_save(request, campaign, caller, rows, errors) -> int | None:
    """Save every filled row in one transaction; None (and `errors` filled) when a row is wrong."""
    if not all(row["form"].is_valid() for row in rows):
        for row in rows:
            form = row["form"]
            for name, texts in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                errors.append(_row_error(row, f"{label} : {' '.join(texts)}" if label else " ".join(texts)))
        return None
    saved = 0
    with transaction.atomic():
        for row in rows:
            data = row["form"].cleaned_data
            if not data.get("outcome"):
                continue
            try:
                call_record_outcome(
                    actor=request.user,
                    call=row["call"],
                    outcome=data["outcome"],
                    needs=data.get("needs") or [],
                    note=data.get("note", ""),
                    danger=bool(data.get("danger")),
                    version=data["version"],
                    on_behalf_of=caller,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    row["form"].add_error(None, message)
                    errors.append(_row_error(row, message))
            except ApplicationError as exc:
                row["form"].add_error(None, exc.message)
                errors.append(_row_error(row, exc.message))
            else:
                saved += 1
        if errors:
            transaction.set_rollback(True)
            return None
    return saved


def _row_error(row, message: str) -> dict:
    return {
        "line": row["line"],
        "name": row["call"].person.full_name,
        "message": message,
        "anchor": f"appel-{row['call'].pk}",
    }


def sheets_url(campaign, who, compact=False) -> str:
    url = reverse("campaigns:sheets_pdf", args=[campaign.pk, who])
    return url + ("?presentation=tableau" if compact else "")
