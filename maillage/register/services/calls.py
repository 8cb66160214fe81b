"""Recording what a call found (issue 13, point 4): each try is kept (`CallAttempt`), a call not
reached is tried again at growing intervals up to the campaign's number of tries, then it is
« injoignable » and escalates to the register manager; a very fragile person (level 4 of the phone
grid) or a danger reported by the caller escalates at once (guide VISA, « Orienter les personnes »:
« sa situation constitue un cas d'urgence. Une intervention est organisée en lien avec les services
d'urgence du territoire »).

An outcome is refused, and changes nothing, when the call is not the caller's (`CallNotYours`), is
already done or cancelled, belongs to a closed campaign or an ended crisis, or was read at another
version (`OutcomeConflict`); an outcome posted again by the same caller with the same idempotency
key returns the call as it is (recorded once).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.casework.fragility import DEFAULT_GRID, FragilityError, score
from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import User
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.register.enums import (
    REACHED_OUTCOMES,
    CallPurpose,
    CallStatus,
    CampaignStatus,
    EntryStatus,
    EscalationHandling,
    EscalationReason,
    Outcome,
)
from maillage.register.models import Call, CallAttempt, Escalation

NEED_CODES = frozenset(code for code, _ in ESSENTIAL_NEEDS)
NOTE_MAX_LENGTH = 4000
IDEMPOTENCY_KEY_MAX_LENGTH = 64

# What an outcome does to the entry: a person in hospital or who moved is suspended (no more calls
# until the manager checks), a deceased person is removed from the register.
_SUSPEND = {
    Outcome.IN_HOSPITAL: "Hospitalisée (signalé lors d'un appel)",
    Outcome.MOVED: "A déménagé (signalé lors d'un appel)",
}


class CallNotYours(ApplicationError):
    """The call is not assigned to the actor (the API answers 404: absent and forbidden alike)."""


class OutcomeConflict(ApplicationError):
    """The call can no longer take this outcome: already done, campaign closed, crisis ended, or a
    stale version (the API answers 409). Nothing was changed."""


def _refuse_unless_yours(call: Call, actor: User, on_behalf_of: User | None) -> None:
    """Who may record: the caller the call is assigned to; or the register manager typing in a
    paper sheet for the caller who wrote it (the call's caller, or one of the campaign's callers
    for a call still in the shared pool). Checked first, so that nobody else learns the call's state."""
    campaign = call.campaign
    if on_behalf_of is not None:
        if not access.can_manage_register(actor, campaign.organisation):
            raise CallNotYours("Seul le gestionnaire du registre saisit les issues des fiches papier.")
        if call.assigned_to_id:
            if call.assigned_to_id != on_behalf_of.pk:
                raise CallNotYours("Cet appel est attribué à un autre appelant que celui de la fiche papier.")
        elif not campaign.callers.filter(pk=on_behalf_of.pk).exists():
            raise CallNotYours("L'appelant de la fiche papier ne fait pas partie des appelants de cette campagne.")
        return
    if call.assigned_to_id != actor.pk or not access.may_take_calls(actor, campaign.organisation):
        raise CallNotYours("Cet appel ne vous est pas attribué.")


def _refuse_unless_open(call: Call) -> None:
    campaign = call.campaign
    if campaign.crisis_id and not campaign.crisis.is_in_progress:
        raise OutcomeConflict("La crise est levée : cet appel ne peut plus être renseigné.")
    if campaign.status != CampaignStatus.OPEN:
        raise OutcomeConflict("Cette campagne est terminée : cet appel ne peut plus être renseigné.")
    if call.status == CallStatus.CANCELLED:
        raise OutcomeConflict("Cet appel a été annulé (inscription suspendue ou radiée) : il n'est plus à passer.")
    if not call.is_open:
        raise OutcomeConflict(
            f"L'issue de cet appel est déjà enregistrée (« {call.get_outcome_display()} ») : "
            "elle n'a pas été enregistrée une seconde fois."
        )


def _validated_needs(outcome: str, needs) -> list[str]:
    if isinstance(needs, str) or not all(isinstance(n, str) for n in needs or []):
        raise ValidationError({"needs": "Les besoins repérés sont une liste de codes des dix besoins essentiels."})
    needs = list(dict.fromkeys(needs or []))
    unknown = [n for n in needs if n not in NEED_CODES]
    if unknown:
        raise ValidationError(
            {"needs": f"Besoin inconnu « {unknown[0][:60]} » : choisissez parmi les dix besoins essentiels."}
        )
    if outcome == Outcome.NEEDS_FOUND and not needs:
        raise ValidationError({"needs": "Cochez au moins un des besoins repérés."})
    if needs and outcome != Outcome.NEEDS_FOUND:
        raise ValidationError({"needs": "Des besoins cochés : choisissez l'issue « Jointe, des besoins repérés »."})
    return needs


def _replayed(call: Call, idempotency_key: str, by: User) -> bool:
    """The same try posted again by the same person (same key): already recorded, nothing to do."""
    return bool(idempotency_key) and call.tries.filter(idempotency_key=idempotency_key, by=by).exists()


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
    spacing_announced: bool = False,
    now: datetime.datetime | None = None,
) -> Call:
    """Record one try of `call` (module docstring). `on_behalf_of`: the register manager types in
    the outcome a caller wrote on a paper call sheet.

    Order of the checks, each refusing with nothing changed: whose call (`CallNotYours`), the same
    key posted again (the call is returned as it is), the call's state and version
    (`OutcomeConflict`), then the fields (`ValidationError`, by field)."""
    now = now or timezone.now()
    # The row lock serialises every outcome of one call: two posts at once are recorded one after
    # the other, and the second sees the first (its key, its version, the call done).
    call = Call.objects.select_for_update(of=("self",)).select_related("campaign__crisis", "entry").get(pk=call.pk)
    _refuse_unless_yours(call, actor, on_behalf_of)
    caller = on_behalf_of or actor
    if len(idempotency_key or "") > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ValidationError({"idempotency_key": "La clé d'idempotence a 64 caractères au plus."})
    if _replayed(call, idempotency_key, caller):
        return call
    _refuse_unless_open(call)
    if version is not None and version != call.version:
        raise OutcomeConflict(
            "Cet appel a été modifié entre-temps (un autre essai a été enregistré) : rechargez-le avant "
            "d'enregistrer.",
            {"version": str(call.version)},
        )
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Issue inconnue : choisissez l'issue de l'appel."})
    needs = _validated_needs(outcome, needs)
    if len(note or "") > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Les remarques ont {NOTE_MAX_LENGTH} caractères au plus."})
    result = None
    if fragility_answers:
        if outcome not in REACHED_OUTCOMES:
            raise ValidationError(
                {"fragility_answers": "La grille se remplit seulement quand la personne est jointe."}
            )
        try:
            result = score(DEFAULT_GRID, fragility_answers)
        except (FragilityError, TypeError) as error:
            detail = error.args[0] if error.args else ""
            if isinstance(detail, dict):
                detail = " ; ".join(f"{key} : {text}" for key, text in detail.items())
            raise ValidationError({"fragility_answers": f"Grille incomplète ou invalide : {detail}."}) from None
    announced = None
    if spacing_announced:
        from maillage.register.services.sponsorships import spacing_announcement_for

        if outcome not in REACHED_OUTCOMES:
            raise ValidationError(
                {
                    "spacing_announced": (
                        "L'espacement des appels s'annonce à une personne jointe : décochez la case, il sera "
                        "à annoncer lors du prochain appel."
                    )
                }
            )
        announced = spacing_announcement_for(call)

    CallAttempt.objects.create(
        call=call, by=caller, at=now, outcome=outcome, note=note or "", idempotency_key=idempotency_key or ""
    )
    call.attempts += 1
    call.version += 1
    if note:
        call.note = note
    if outcome == Outcome.NOT_REACHED and call.attempts < call.campaign.max_attempts:
        # Not reached, tries left: again later, at growing intervals (the last delay repeats).
        delays = call.campaign.retry_delays or list(settings.REGISTER_RETRY_DELAYS_MINUTES) or [60]
        delay = delays[min(call.attempts - 1, len(delays) - 1)]
        call.status = CallStatus.RETRY
        call.due_at = now + datetime.timedelta(minutes=delay)
        call.save()
        if danger:  # a neighbour or the voicemail tells of a danger: it cannot wait for the next try
            _escalate(call, EscalationReason.DANGER, actor, now)
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
    if announced is not None and call.entry.status == EntryStatus.ACTIVE:
        from maillage.register.services.sponsorships import record_spacing_announced

        record_spacing_announced(sponsorship=announced, call=call, by=caller, now=now)
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
    if call.purpose == CallPurpose.CONFIRMATION and outcome == Outcome.REACHED_FINE:
        # The yearly confirmation: the person, reached, wishes to stay on the register (the call is
        # the authority here, not a register manager's screen: actor None).
        from maillage.register.services.entries import entry_confirm

        entry_confirm(actor=None, organisation=entry.organisation, entry=entry, on=timezone.localdate(now))
        return
    if outcome in _SUSPEND and entry.status == EntryStatus.ACTIVE:
        entry.status = EntryStatus.SUSPENDED
        entry.suspended_reason = _SUSPEND[outcome]
    elif outcome == Outcome.DECEASED and entry.status != EntryStatus.REMOVED:
        entry.status = EntryStatus.REMOVED
        entry.removed_at = now
        entry.removal_reason = "Décès signalé lors d'un appel"
        entry.sponsorships.filter(ended_on__isnull=True).update(ended_on=timezone.localdate(now))
    else:
        return
    entry.save()
    # No more calls to a person suspended or removed, in this campaign or another.
    entry.calls.open().exclude(pk=call.pk).update(status=CallStatus.CANCELLED)


@transaction.atomic
def escalation_handle(*, actor: User, escalation: Escalation, handling: str, note: str = "") -> Escalation:
    """Say how a serious situation was handled: it leaves the dashboard."""
    if not access.can_manage_register(actor, escalation.entry.organisation):
        raise ApplicationError("Seul le gestionnaire du registre traite les alertes.")
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.handled_at:
        raise ApplicationError("Cette alerte est déjà traitée.")
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
