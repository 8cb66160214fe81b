"""The caller's screen (issue 13, point 4), phone-first: « Mes appels » (the caller's campaigns and
their due calls), « Appel suivant », and one call: the minimal sheet (through the call's grant, each
opening logged), the interview guide and the outcome form. A caller sees nothing else: no person's
file, no register."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maillage.core import access, audit
from maillage.core.exceptions import ApplicationError
from maillage.core.forms import add_validation_errors
from maillage.core.grammar import count as plural
from maillage.core.grammar import long_date
from maillage.directory.forms import LANGUAGE_NAMES
from maillage.people.models import Person
from maillage.register import selectors_campaigns
from maillage.register.enums import CallStatus, EscalationReason, Outcome
from maillage.register.forms_campaigns import OutcomeForm
from maillage.register.models import Call, CallCampaign
from maillage.register.services.calls import call_record_outcome
from maillage.register.services.campaigns import next_call
from maillage.register.services.sponsorships import every_days_phrase, spacing_prompt, spacing_to_announce


def _caller_only(request) -> None:
    if not access.may_take_calls(request.user, request.organisation):
        raise Http404("Page introuvable.")


@require_GET
def my_calls(request):
    """The caller's open campaigns, each with its calls due now and the button for the next one."""
    if not access.can_be_caller(request.user, request.organisation):
        raise Http404("Page introuvable.")
    if not access.may_take_calls(request.user, request.organisation):
        # A caller who has not signed the charter in force yet: no call before it (volunteers).
        return render(request, "register/calls/mine.html", {"blocks": [], "must_sign": True})
    blocks = []
    shown = 0
    for campaign in selectors_campaigns.caller_campaigns(request.user, request.organisation):
        due = list(selectors_campaigns.due_calls(request.user, request.organisation, campaign))
        shown += len(due)
        blocks.append(
            {
                "campaign": campaign,
                "due": due,
                "later": selectors_campaigns.later_calls_count(request.user, request.organisation, campaign),
                "pool": selectors_campaigns.pool_count(campaign),
            }
        )
    if shown:
        audit.record_search(request, Person, what=f"Mes appels : {audit.shown_count(shown)}", access_path="")
    return render(request, "register/calls/mine.html", {"blocks": blocks, "must_sign": False})


@require_POST
def take_next(request, campaign_pk):
    """Give the caller their next call of the campaign (their own due call first, then the shared pool)."""
    _caller_only(request)
    campaign = (
        CallCampaign.objects.filter(organisation=request.organisation, callers=request.user, pk=_int(campaign_pk))
        .select_related("crisis", "organisation")
        .first()
    )
    if campaign is None:
        raise Http404("Campagne introuvable.")
    try:
        call = next_call(caller=request.user, campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("calls:mine")
    if call is None:
        messages.info(request, "Aucun appel à faire pour l'instant dans cette campagne. Revenez plus tard.")
        return redirect("calls:mine")
    return redirect("calls:detail", pk=call.pk)


@require_http_methods(["GET", "POST"])
def call_detail(request, pk):
    """One call: the minimal sheet, the guide, the outcome form. An outcome sent twice (double tap)
    is recorded once: the form token replays the first answer, and the call's version refuses a
    stale form."""
    try:
        grant = access.call_grant_for(request, pk)
    except Http404:
        if request.method == "POST" and _was_mine(request, pk):
            messages.info(request, "Cet appel est déjà terminé : son issue a été enregistrée.")
            return redirect("calls:mine")
        raise
    call = grant.call
    spacing = spacing_to_announce(call)
    form = OutcomeForm(request.POST or None, initial={"version": call.version}, spacing=spacing is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call = call_record_outcome(
                actor=request.user,
                call=call,
                outcome=data["outcome"],
                needs=data.get("needs") or [],
                note=data.get("note", ""),
                fragility_answers=data.get("fragility_answers") or None,
                danger=bool(data.get("danger")),
                version=data["version"],
                spacing_announced=bool(data.get("spacing_announced")),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("calls:mine")
        else:
            for level, text in outcome_messages(call):
                messages.add_message(request, level, text)
            return redirect("calls:done", campaign_pk=call.campaign_id)
    if request.method == "GET":
        grant.record(request, "Fiche d'appel")
    context = {
        "call": call,
        "campaign": call.campaign,
        "sheet": grant.sheet(),
        "sections": call.campaign.script_sections(),
        "form": form,
        "language_name": _language(call.entry.language),
        "previous_tries": call.tries.count(),
        "spacing_prompt": spacing_prompt(spacing) if spacing is not None else "",
    }
    return render(request, "register/calls/detail.html", context)


@require_GET
def call_done(request, campaign_pk):
    """After an outcome: what was recorded (messages) and the next call's button."""
    _caller_only(request)
    campaign = CallCampaign.objects.filter(
        organisation=request.organisation, callers=request.user, pk=_int(campaign_pk)
    ).first()
    if campaign is None:
        raise Http404("Campagne introuvable.")
    due = selectors_campaigns.due_calls(request.user, request.organisation, campaign).count()
    return render(
        request,
        "register/calls/done.html",
        {"campaign": campaign, "due": due, "pool": selectors_campaigns.pool_count(campaign)},
    )


def _language(code: str) -> str:
    """The call's language, named in French; nothing for French (the default)."""
    if not code or code == "fr":
        return ""
    return LANGUAGE_NAMES.get(code, code)


def _was_mine(request, pk) -> bool:
    """The call was assigned to the user and is now done: a late second post of its outcome."""
    if not access.may_take_calls(request.user, request.organisation):
        return False
    return Call.objects.filter(
        pk=_int(pk), assigned_to=request.user, campaign__organisation=request.organisation, status=CallStatus.DONE
    ).exists()


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Page introuvable.") from None


def _when(moment: datetime.datetime) -> str:
    """« à 14 h 30 » today, « demain à 9 h 00 », « le 8 décembre 2026 à 9 h 00 »."""
    local = timezone.localtime(moment)
    hour = f"{local.hour} h {local.minute:02d}"
    today = timezone.localdate()
    if local.date() == today:
        return f"à {hour}"
    if local.date() == today + datetime.timedelta(days=1):
        return f"demain à {hour}"
    return f"le {long_date(local)} à {hour}"


def outcome_messages(call: Call) -> list[tuple[int, str]]:
    """The French messages the caller reads after recording a try."""
    out = []
    if call.status == CallStatus.RETRY:
        left = call.campaign.max_attempts - call.attempts
        out.append(
            (
                messages.INFO,
                f"Pas de réponse : nouvel essai prévu {_when(call.due_at)} "
                f"({plural(left, 'essai restant', 'essais restants')}).",
            )
        )
        return out
    texts = {
        Outcome.REACHED_FINE: "Appel enregistré : la personne va bien.",
        Outcome.NEEDS_FOUND: f"Appel enregistré avec {plural(len(call.needs), 'besoin repéré', 'besoins repérés')}.",
        Outcome.UNREACHABLE: "Pas de réponse au dernier essai : la personne est signalée injoignable.",
        Outcome.REFUSED: "Appel enregistré : la personne ne souhaite pas être appelée.",
        Outcome.IN_HOSPITAL: "Appel enregistré : la personne est hospitalisée, son inscription est suspendue.",
        Outcome.DECEASED: "Appel enregistré : la personne est décédée, elle est retirée du registre.",
        Outcome.MOVED: "Appel enregistré : la personne a déménagé, son inscription est suspendue.",
    }
    out.append((messages.SUCCESS, texts.get(call.outcome, "Appel enregistré.")))
    escalations = list(call.escalations.values_list("reason", flat=True))
    if escalations:
        reasons = ", ".join(EscalationReason(r).label.lower() for r in escalations)
        out.append((messages.WARNING, f"Alerte transmise au gestionnaire du registre ({reasons})."))
    announced = call.entry.sponsorships.filter(spacing_announced_call=call).first()
    if announced is not None:
        out.append(
            (
                messages.SUCCESS,
                f"Espacement annoncé : désormais un appel {every_days_phrase(announced.every_days)}.",
            )
        )
    follow = Call.objects.filter(follows=call, assigned_to_id=call.outcome_by_id).first()
    if follow is not None:
        out.append(
            (messages.INFO, f"Un {follow.get_purpose_display().lower()} vous est confié {_when(follow.due_at)}.")
        )
    return out
