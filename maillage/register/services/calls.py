"""Recording what a call found (issue 13, point 4): each try is kept (`CallAttempt`), a call not
reached is tried again at growing intervals up to the campaign's number of tries, then it is
« injoignable » and escalates to the register manager; a very fragile person (level 4 of the phone
grid) or a danger reported by the caller escalates at once (guide VISA, « Orienter les personnes »:
« sa situation constitue un cas d'urgence. Une intervention est organisée en lien avec les services
d'urgence du territoire »).

An outcome is refused, and changes nothing, when the call is not the caller's, is already done, or
belongs to a closed campaign or an ended crisis; an outcome posted again with the same idempotency
key returns the call as it is.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.casework.fragility import DEFAULT_GRID, FragilityError, score
from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import User
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.register.enums import (
    CallStatus,
    CampaignStatus,
    EntryStatus,
    EscalationReason,
    Outcome,
)
from maillage.register.models import Call, CallAttempt, Escalation

NEED_CODES = frozenset(code for code, _ in ESSENTIAL_NEEDS)

# What an outcome does to the entry: a person in hospital or who moved is suspended (no more calls
# until the manager checks), a deceased person is removed from the register.
_SUSPEND = {
    Outcome.IN_HOSPITAL: "Hospitalisée (signalé lors d'un appel)",
    Outcome.MOVED: "A déménagé (signalé lors d'un appel)",
}


def _refuse_unless_open(call: Call, actor: User, *, on_behalf: bool) -> None:
    campaign = call.campaign
    if campaign.crisis_id and not campaign.crisis.is_in_progress:
        raise ApplicationError("La crise est levée : cet appel ne peut plus être renseigné.")
    if campaign.status != CampaignStatus.OPEN:
        raise ApplicationError("Cette campagne est terminée : cet appel ne peut plus être renseigné.")
    if not call.is_open:
        raise ApplicationError("Cet appel est déjà terminé : son issue a été enregistrée.")
    if on_behalf:
        if not access.can_manage_register(actor, campaign.organisation):
            raise ApplicationError("Seul le gestionnaire du registre saisit les issues des fiches papier.")
    elif call.assigned_to_id != actor.pk or not access.may_take_calls(actor, campaign.organisation):
        raise ApplicationError("Cet appel ne vous est pas attribué.")


def _validated_needs(needs) -> list[str]:
    needs = list(dict.fromkeys(needs or []))
    unknown = [n for n in needs if n not in NEED_CODES]
    if unknown:
        raise ValidationError({"needs": "Besoin inconnu : choisissez parmi les dix besoins essentiels."})
    return needs


@transaction.atomic
def call_record_outcome(
    *,
    actor: User,
    call: Call,
    outcome: str,
    needs=(),
    note: str = "",
    fragility_answers: dict | None = None,
    danger: bool = False,
    version: int | None = None,
    idempotency_key: str = "",
    on_behalf_of: User | None = None,
    now: datetime.datetime | None = None,
) -> Call:
    """Record one try of `call` (module docstring). `on_behalf_of`: the register manager types in
    the outcome a caller wrote on a paper call sheet."""
    now = now or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("campaign__crisis", "entry").get(pk=call.pk)
    if idempotency_key and call.tries.filter(idempotency_key=idempotency_key).exists():
        return call  # the same try, posted again: already recorded
    _refuse_unless_open(call, actor, on_behalf=on_behalf_of is not None)
    if version is not None and version != call.version:
        raise ApplicationError("Cet appel a été modifié entre-temps : rechargez-le avant d'enregistrer.")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choisissez l'issue de l'appel."})
    needs = _validated_needs(needs)
    if outcome == Outcome.NEEDS_FOUND and not needs:
        raise ValidationError({"needs": "Cochez au moins un des besoins repérés."})
    result = None
    if fragility_answers:
        if outcome not in (Outcome.REACHED_FINE, Outcome.NEEDS_FOUND):
            raise ValidationError(
                {"fragility_answers": "La grille se remplit seulement quand la personne est jointe."}
            )
        try:
            result = score(DEFAULT_GRID, fragility_answers)
        except FragilityError as error:
            raise ValidationError({"fragility_answers": str(error)}) from None

    caller = on_behalf_of or actor
    CallAttempt.objects.create(
        call=call, by=caller, at=now, outcome=outcome, note=note, idempotency_key=idempotency_key
    )
    call.attempts += 1
    call.version += 1
    if note:
        call.note = note
    if outcome == Outcome.NOT_REACHED and call.attempts < call.campaign.max_attempts:
        delays = call.campaign.retry_delays or [60]
        delay = delays[min(call.attempts - 1, len(delays) - 1)]
        call.status = CallStatus.RETRY
        call.due_at = now + datetime.timedelta(minutes=delay)
        call.save()
        return call
    if outcome == Outcome.NOT_REACHED:
        outcome = Outcome.UNREACHABLE
    call.status = CallStatus.DONE
    call.outcome = outcome
    call.outcome_at = now
    call.outcome_by = caller
    call.needs = needs
    if result is not None:
        call.fragility_answers = dict(fragility_answers)
        call.fragility_level = result.level
    call.save()

    if outcome == Outcome.UNREACHABLE:
        _escalate(call, EscalationReason.UNREACHABLE, actor, now)
    if result is not None and result.level == 4:
        _escalate(call, EscalationReason.VERY_FRAGILE, actor, now)
    if danger:
        _escalate(call, EscalationReason.DANGER, actor, now)
    _apply_to_entry(call, outcome, now)
    from maillage.register.services.orientation import plan_follow_ups

    plan_follow_ups(call=call, actor=actor, now=now)
    return call


def _escalate(call: Call, reason: str, actor: User, now) -> Escalation:
    return Escalation.objects.create(
        organisation_id=call.campaign.organisation_id,
        call=call,
        entry=call.entry,
        reason=reason,
        raised_at=now,
        raised_by=actor,
    )


def _apply_to_entry(call: Call, outcome: str, now) -> None:
    entry = call.entry
    if outcome in _SUSPEND and entry.status == EntryStatus.ACTIVE:
        entry.status = EntryStatus.SUSPENDED
        entry.suspended_reason = _SUSPEND[outcome]
    elif outcome == Outcome.DECEASED and entry.status != EntryStatus.REMOVED:
        entry.status = EntryStatus.REMOVED
        entry.removed_at = now
        entry.removal_reason = "Décès signalé lors d'un appel"
    else:
        return
    entry.save()
    entry.calls.open().exclude(pk=call.pk).update(status=CallStatus.CANCELLED)


@transaction.atomic
def escalation_handle(*, actor: User, escalation: Escalation, handling: str, note: str = "") -> Escalation:
    """Say how a serious situation was handled: it leaves the dashboard."""
    if not access.can_manage_register(actor, escalation.entry.organisation):
        raise ApplicationError("Seul le gestionnaire du registre traite les alertes.")
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.handled_at:
        raise ApplicationError("Cette alerte est déjà traitée.")
    from maillage.register.enums import EscalationHandling

    if handling not in EscalationHandling.values:
        raise ValidationError({"handling": "Choisissez la suite donnée."})
    if handling == EscalationHandling.OTHER and not note.strip():
        raise ValidationError({"handling_note": "Précisez la suite donnée."})
    escalation.handling = handling
    escalation.handling_note = note
    escalation.handled_at = timezone.now()
    escalation.handled_by = actor
    escalation.save()
    return escalation
