"""The crises' pages (issue 13, points 3, 7 and 8): the list, activation and end of the plan, the
crisis page with its transmissions to the prefect, the live dashboard and the handling of alerts.

Who: the register manager of the organisation does everything; the director (or elected official)
reads the list, the crisis page and the dashboard's counts — no alert (they name persons), no
transmission, no action (`access.can_view_crisis_dashboard`). Everyone else gets a 404, as for an
absent crisis.

The dashboard refreshes itself every 30 seconds (htmx polling); the same address serves the page and,
to htmx, the fragment the page includes. Every focusable element of the fragment has a stable `id`:
htmx gives the focus back to the element of the same id after the swap, so a keyboard user's place
is kept. Alerts are handled on a page of their own, not in a form inside the refreshed region (a
refresh would wipe a note being typed).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from maillage.core import access
from maillage.core.audit import record_access, record_search, shown_count
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.core.grammar import count as plural
from maillage.core.ids import parse_id
from maillage.people.models import Person
from maillage.register import crises_selectors as selectors
from maillage.register import prefect
from maillage.register.forms_crises import CrisisActivateForm, CrisisEndForm, EscalationHandleForm, TransmissionForm
from maillage.register.selectors import entries as entry_selectors
from maillage.register.services import crises as services
from maillage.register.sharing import PREFECT_FIELDS, prefect_rows

REFRESH_SECONDS = 30


def _readable_crisis(request, pk):
    return access.get_readable_crisis_for(request.user, request.organisation, pk)


def _managed_crisis(request, pk):
    return access.get_crisis_for(request.user, request.organisation, pk)


@require_http_methods(["GET"])
def crisis_list(request):
    if not access.can_view_crisis_dashboard(request.user, request.organisation):
        raise Http404("Page introuvable.")
    crises = list(
        selectors.sorted_crises(access.crises_readable_by(request.user, request.organisation)).prefetch_related(
            "communes"
        )
    )
    return render(
        request,
        "register/crises/list.html",
        {
            "in_progress": [c for c in crises if c.is_in_progress],
            "ended": [c for c in crises if not c.is_in_progress],
            "can_manage": access.can_manage_register(request.user, request.organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def crisis_activate(request):
    organisation = request.organisation
    if not access.can_manage_register(request.user, organisation):
        raise Http404("Page introuvable.")
    communes = services.communes_for_crises(organisation)
    form = CrisisActivateForm(request.POST if request.method == "POST" else None, communes=communes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            crisis = services.crisis_activate(
                actor=request.user,
                organisation=organisation,
                kind=data["kind"],
                level=data["level"],
                communes=data["communes"],
                title=data["title"],
                started_at=form.started_at(),
                planned_end_on=data["planned_end_on"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Plan déclenché : {crisis}.")
            return redirect("crises:detail", pk=crisis.pk)
    return render(request, "register/crises/activate.html", {"form": form, "no_commune": not communes.exists()})


@require_http_methods(["GET"])
def crisis_detail(request, pk):
    crisis = _readable_crisis(request, pk)
    can_manage = access.can_manage_register(request.user, request.organisation)
    summary = selectors.crisis_summaries([crisis])[crisis.pk]
    context = {
        "crisis": crisis,
        "communes": list(crisis.communes.all()),
        "campaigns": list(crisis.campaigns.order_by("created_at", "pk")),
        "counts": summary,
        "purged_summary": _purged_summary(crisis) if crisis.purged_at else "",
        "can_manage": can_manage,
        "transmissions": list(crisis.transmissions.select_related("produced_by")) if can_manage else [],
        "transmission_form": TransmissionForm() if can_manage and crisis.is_in_progress else None,
        "without_address": entry_selectors.active_without_address(crisis.organisation) if can_manage else 0,
    }
    return render(request, "register/crises/detail.html", context)


def _purged_summary(crisis) -> str:
    """« 3 appels, dont 2 terminés et 1 annulé à la levée ; 1 alerte. »: the counts the retention kept
    (nothing for a crisis that had no call: the page then says so)."""
    kept = selectors.purged_counts(crisis)
    if not kept["calls"]:
        return ""
    return (
        f"{plural(kept['calls'], 'appel')}, dont {plural(kept['done'], 'terminé')} et "
        f"{plural(kept['cancelled'], 'annulé')} à la levée ; {plural(kept['alerts'], 'alerte')}."
    )


@require_http_methods(["GET", "POST"])
def crisis_end(request, pk):
    crisis = _managed_crisis(request, pk)
    if not crisis.is_in_progress:
        messages.error(request, "Cette crise est déjà levée.")
        return redirect("crises:detail", pk=crisis.pk)
    form = CrisisEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.crisis_end(actor=request.user, organisation=request.organisation, crisis=crisis)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Crise levée : {crisis}. Ses données seront détruites dans trois mois.")
        return redirect("crises:detail", pk=crisis.pk)
    summary = selectors.crisis_summaries([crisis])[crisis.pk]
    open_calls = summary["pending"] + summary["failed"]
    return render(request, "register/crises/end.html", {"crisis": crisis, "form": form, "open_calls": open_calls})


@require_http_methods(["POST"])
def crisis_transmission(request, pk):
    """The register's transmission to the prefect, produced on request (CASF R121-8): a CSV or a PDF
    with the R121-4 columns only (sharing.prefect_rows), for the crisis's communes; recorded
    (PrefectTransmission) and written in the trail (one line: how many, never whom)."""
    crisis = _managed_crisis(request, pk)
    form = TransmissionForm(request.POST)
    if not crisis.is_in_progress:
        messages.error(request, "La crise est levée : le registre n'est plus transmis au préfet pour elle.")
        return redirect("crises:detail", pk=crisis.pk)
    if not form.is_valid():
        messages.error(request, "Choisissez le format de la transmission : CSV ou PDF.")
        return redirect("crises:detail", pk=crisis.pk)
    file_format = form.cleaned_data["file_format"]
    rows = prefect_rows(crisis)
    services.prefect_transmission_record(
        actor=request.user,
        organisation=request.organisation,
        crisis=crisis,
        entry_count=len(rows),
        fields=list(PREFECT_FIELDS),
        file_format=file_format,
    )
    record_access(
        request,
        crisis,
        what=f"Transmission au préfet ({file_format.upper()}) : {len(rows)} inscription{'s' if len(rows) > 1 else ''}",
    )
    body = prefect.csv_bytes(rows) if file_format == "csv" else prefect.pdf_bytes(crisis, rows)
    response = HttpResponse(body, content_type=prefect.FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{prefect.file_name(crisis, file_format)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
def crisis_dashboard(request, pk):
    """The live dashboard of a crisis, or of one of its campaigns (`?campagne=`): the page, or to
    htmx its refreshed fragment."""
    crisis = _readable_crisis(request, pk)
    campaign = None
    if campaign_id := parse_id(request.GET.get("campagne", "")):
        campaign = crisis.campaigns.filter(pk=campaign_id).first()
        if campaign is None:
            raise Http404("Campagne introuvable.")
    can_manage = access.can_manage_register(request.user, request.organisation)
    alerts = []
    if can_manage:
        alerts = list(
            selectors.open_escalations(access.escalations_visible_to(request.user, request.organisation), crisis)
        )
        if alerts and not request.htmx:
            shown = len({a.entry.person_id for a in alerts})
            record_search(
                request, Person, what=f"Tableau de bord de crise, alertes : {shown_count(shown)}", access_path=""
            )
    dashboard = selectors.crisis_dashboard(crisis, campaign)
    for row in dashboard.by_commune + dashboard.by_caller:
        row.cells = [row.counts[key] for key, _ in COUNT_COLUMNS]
    context = {
        "crisis": crisis,
        "campaign": campaign,
        "dashboard": dashboard,
        "alerts": alerts,
        "can_manage": can_manage,
        "updated_at": timezone.localtime(),
        "refresh_seconds": REFRESH_SECONDS,
        "count_columns": COUNT_COLUMNS,
    }
    template = "register/crises/includes/_dashboard.html" if request.htmx else "register/crises/dashboard.html"
    return render(request, template, context)


COUNT_COLUMNS = (
    ("done", "Faits"),
    ("pending", "À faire"),
    ("failed", "À rappeler"),
    ("unreachable", "Injoignables"),
    ("escalated", "Alertes"),
    ("total", "Total"),
)


@require_http_methods(["GET", "POST"])
def escalation_handle(request, pk):
    """Say how an alert was handled: it leaves the dashboards. The alert's page names the person:
    an opening of their data, in the trail."""
    escalation = access.get_escalation_for(request.user, request.organisation, pk)
    crisis = escalation.call.campaign.crisis if escalation.call_id else None
    back = redirect("crises:dashboard", pk=crisis.pk) if crisis else redirect("core:dashboard")
    if escalation.handled_at is not None:
        messages.info(request, "Cette alerte a déjà été traitée.")
        return back
    form = EscalationHandleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_handle(
                actor=request.user,
                organisation=request.organisation,
                escalation=escalation,
                handling=form.cleaned_data["handling"],
                note=form.cleaned_data["handling_note"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return back
        else:
            messages.success(request, f"Alerte traitée : {escalation.entry.person.full_name}.")
            return back
    if request.method == "GET":
        record_access(
            request, escalation.entry.person, what="Alerte du registre à traiter", access_path="organisation"
        )
    return render(
        request,
        "register/crises/escalation_handle.html",
        {"escalation": escalation, "person": escalation.entry.person, "crisis": crisis, "form": form},
    )
