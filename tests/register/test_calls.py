"""Recording what a call found (services.calls.call_record_outcome), table by table: every outcome,
the retries at growing intervals and their settings, the escalations (unreachable, level 4 of the
phone grid, danger), and bad input — each refused with a French message and nothing changed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.enums import Role
from maillage.register.enums import CallStatus, EntryStatus, EscalationReason, Outcome
from maillage.register.models import Call, CallAttempt, Escalation, Sponsorship
from maillage.register.services import calls, campaigns
from maillage.register.services.calls import CallNotYours, OutcomeConflict
from tests.core.factories import MembershipFactory
from tests.register import calls_world as cw

pytestmark = pytest.mark.django_db

NOW = timezone.now()
MINUTE = datetime.timedelta(minutes=1)


def _one_call(w, **campaign_kwargs):
    cw.entry(w)
    campaign = cw.open_campaign(w, callers=w.callers[:1], **campaign_kwargs)
    return campaign.calls.get()


def _record(call, outcome, actor=None, **kwargs):
    return calls.call_record_outcome(
        actor=actor or call.assigned_to, call=call, outcome=outcome, now=kwargs.pop("now", NOW), **kwargs
    )


def _state(call):
    """Everything an outcome may change, to prove that a refused one changed nothing."""
    call = Call.objects.get(pk=call.pk)
    return {
        "call": (call.status, call.attempts, call.version, call.outcome, call.due_at, call.note, call.needs),
        "tries": CallAttempt.objects.filter(call=call).count(),
        "escalations": Escalation.objects.filter(entry=call.entry).count(),
        "entry": call.entry.status,
        "calls": Call.objects.count(),
    }


# --- Every outcome -------------------------------------------------------------------------------

OUTCOMES = [
    # outcome, extra fields, call status after, outcome kept, entry status after, escalation reasons
    (Outcome.REACHED_FINE, {}, CallStatus.DONE, Outcome.REACHED_FINE, EntryStatus.ACTIVE, []),
    (
        Outcome.NEEDS_FOUND,
        {"needs": ["se-nourrir", "parler-avec-autrui", "se-nourrir"]},
        CallStatus.DONE,
        Outcome.NEEDS_FOUND,
        EntryStatus.ACTIVE,
        [],
    ),
    (Outcome.NOT_REACHED, {}, CallStatus.RETRY, "", EntryStatus.ACTIVE, []),
    (
        Outcome.UNREACHABLE,
        {},
        CallStatus.DONE,
        Outcome.UNREACHABLE,
        EntryStatus.ACTIVE,
        [EscalationReason.UNREACHABLE],
    ),
    (Outcome.REFUSED, {}, CallStatus.DONE, Outcome.REFUSED, EntryStatus.ACTIVE, []),
    (Outcome.IN_HOSPITAL, {}, CallStatus.DONE, Outcome.IN_HOSPITAL, EntryStatus.SUSPENDED, []),
    (Outcome.DECEASED, {}, CallStatus.DONE, Outcome.DECEASED, EntryStatus.REMOVED, []),
    (Outcome.MOVED, {}, CallStatus.DONE, Outcome.MOVED, EntryStatus.SUSPENDED, []),
]


@pytest.mark.parametrize(("outcome", "extra", "status", "kept", "entry_status", "reasons"), OUTCOMES, ids=str)
def test_call_record_outcome_each_outcome(outcome, extra, status, kept, entry_status, reasons):
    w = cw.world(callers=1)
    call = _one_call(w)
    call = _record(call, outcome, note="Rappeler après 17 h", idempotency_key="k1", **extra)
    assert (call.status, call.outcome, call.attempts, call.version) == (status, kept, 1, 2)
    assert call.entry.status == entry_status
    assert sorted(Escalation.objects.filter(call=call).values_list("reason", flat=True)) == reasons
    attempt = call.tries.get()
    assert (attempt.outcome, attempt.by, attempt.note, attempt.idempotency_key) == (
        outcome,
        w.callers[0],
        "Rappeler après 17 h",
        "k1",
    )
    if status == CallStatus.DONE:
        assert (call.outcome_by, call.outcome_at) == (w.callers[0], NOW)
    if outcome == Outcome.NEEDS_FOUND:
        assert call.needs == ["se-nourrir", "parler-avec-autrui"]  # each need once


@pytest.mark.parametrize("outcome", [Outcome.IN_HOSPITAL, Outcome.DECEASED, Outcome.MOVED])
def test_an_entry_suspended_or_removed_by_a_call_has_no_other_call_left(outcome):
    w = cw.world(callers=1)
    call = _one_call(w)
    other_campaign = cw.open_campaign(w, callers=w.callers[:1], title="Appels de convivialité")
    Sponsorship.objects.create(organisation=w.organisation, entry=call.entry, volunteer=w.callers[0])
    _record(call, outcome)
    assert other_campaign.calls.get().status == CallStatus.CANCELLED
    sponsorship = Sponsorship.objects.get(entry=call.entry)
    assert (sponsorship.ended_on is not None) == (outcome == Outcome.DECEASED)


# --- Retries ---------------------------------------------------------------------------------------


RETRIES = [
    # settings (max, delays), campaign kwargs, expected minutes before each retry, tries in all
    ((3, (60, 180)), {}, [60, 180], 3),
    ((4, (10, 20)), {}, [10, 20, 20], 4),  # the last delay repeats
    ((3, (60, 180)), {"max_attempts": 2, "retry_delays": [30]}, [30], 2),
    ((3, (60, 180)), {"max_attempts": 1}, [], 1),
]


@pytest.mark.parametrize(("setting", "campaign_kwargs", "delays", "tries"), RETRIES)
def test_not_reached_is_tried_again_at_growing_intervals_then_unreachable(
    settings, setting, campaign_kwargs, delays, tries
):
    settings.REGISTER_MAX_ATTEMPTS, settings.REGISTER_RETRY_DELAYS_MINUTES = setting
    w = cw.world(callers=1)
    call = _one_call(w, **campaign_kwargs)
    now = NOW
    for delay in delays:
        call = _record(call, Outcome.NOT_REACHED, now=now)
        assert call.status == CallStatus.RETRY and call.due_at == now + delay * MINUTE
        assert not Escalation.objects.exists()
        # Not given again before it is due, given when it is.
        assert campaigns.next_call(caller=w.callers[0], campaign=call.campaign, now=call.due_at - MINUTE) is None
        assert campaigns.next_call(caller=w.callers[0], campaign=call.campaign, now=call.due_at) == call
        now = call.due_at
    call = _record(call, Outcome.NOT_REACHED, now=now)
    assert (call.status, call.outcome, call.attempts) == (CallStatus.DONE, Outcome.UNREACHABLE, tries)
    assert list(call.tries.values_list("outcome", flat=True)) == [Outcome.NOT_REACHED] * tries
    escalation = Escalation.objects.get()
    assert (escalation.reason, escalation.entry, escalation.handled_at) == (
        EscalationReason.UNREACHABLE,
        call.entry,
        None,
    )


# --- Escalations from the grid and the caller ------------------------------------------------------

ESCALATIONS = [
    # grid answers (None: no grid), danger, level, escalation reasons
    (None, False, None, []),
    (cw.grid_answers(), False, 1, []),
    (cw.grid_answers(vit_seul="oui", contacts="aucun"), False, 2, []),
    (cw.grid_answers(vit_seul="oui", contacts="aucun", sante="degradee"), False, 3, []),
    (cw.grid_answers(chute="au_sol_ou_blesse"), False, 4, [EscalationReason.VERY_FRAGILE]),
    (cw.grid_answers(danger_immediat="oui"), False, 4, [EscalationReason.VERY_FRAGILE]),
    (None, True, None, [EscalationReason.DANGER]),
    (cw.grid_answers(moral="idees_noires"), True, 4, [EscalationReason.DANGER, EscalationReason.VERY_FRAGILE]),
]


@pytest.mark.parametrize(("answers", "danger", "level", "reasons"), ESCALATIONS)
def test_level_four_and_danger_escalate_at_once(answers, danger, level, reasons):
    w = cw.world(callers=1)
    call = _one_call(w)
    call = _record(call, Outcome.REACHED_FINE, fragility_answers=answers, danger=danger)
    assert call.fragility_level == level
    assert sorted(Escalation.objects.filter(call=call).values_list("reason", flat=True)) == sorted(reasons)


def test_danger_reported_on_a_try_not_answered_escalates_without_waiting_for_the_last_try():
    w = cw.world(callers=1)
    call = _record(_one_call(w), Outcome.NOT_REACHED, danger=True, note="Le voisin dit qu'elle est tombée")
    assert call.status == CallStatus.RETRY
    assert Escalation.objects.get().reason == EscalationReason.DANGER


def test_the_manager_types_in_a_paper_sheet_for_its_caller():
    w = cw.world(callers=1)
    call = _one_call(w)
    call = _record(call, Outcome.REACHED_FINE, actor=w.manager, on_behalf_of=w.callers[0])
    assert call.outcome_by == w.callers[0] and call.tries.get().by == w.callers[0]


def test_an_escalation_is_handled_once_and_says_how():
    w = cw.world(callers=1)
    _record(_one_call(w), Outcome.UNREACHABLE)
    escalation = Escalation.objects.get()
    with pytest.raises(ValidationError, match="Précisez"):
        calls.escalation_handle(actor=w.manager, escalation=escalation, handling="other")
    calls.escalation_handle(actor=w.manager, escalation=escalation, handling="home_visit", note="Passée à 15 h")
    with pytest.raises(calls.ApplicationError, match="déjà traitée"):
        calls.escalation_handle(actor=w.manager, escalation=escalation, handling="home_visit")


# --- Bad input: refused with a French message, nothing changed --------------------------------------


def _posted_twice(w, call):
    _record(call, Outcome.REACHED_FINE)
    return {"actor": w.callers[0], "outcome": Outcome.NEEDS_FOUND, "needs": ["se-nourrir"]}


def _another_caller(w, call):
    return {"actor": w.callers[1], "outcome": Outcome.REACHED_FINE}


def _another_organisations_caller(w, call):
    return {"actor": MembershipFactory(role=Role.VOLUNTEER).user, "outcome": Outcome.REACHED_FINE}


def _ended_membership(w, call):
    w.callers[0].memberships.update(is_active=False)
    return {"actor": w.callers[0], "outcome": Outcome.REACHED_FINE}


def _a_role_that_takes_no_calls(w, call):
    w.callers[0].memberships.update(role=Role.DPO)
    return {"actor": w.callers[0], "outcome": Outcome.REACHED_FINE}


def _crisis_ended(w, call):
    call.campaign.crisis.ended_at = NOW
    call.campaign.crisis.save()
    return {"actor": w.callers[0], "outcome": Outcome.REACHED_FINE}


def _campaign_closed(w, call):
    campaigns.campaign_close(actor=w.manager, campaign=call.campaign)
    return {"actor": w.callers[0], "outcome": Outcome.REACHED_FINE}


def _stale_version(w, call):
    _record(call, Outcome.NOT_REACHED)
    return {"actor": w.callers[0], "outcome": Outcome.REACHED_FINE, "version": 1}


def _paper_sheet_by_a_caller(w, call):
    return {"actor": w.callers[1], "outcome": Outcome.REACHED_FINE, "on_behalf_of": w.callers[0]}


def _paper_sheet_for_the_wrong_caller(w, call):
    return {"actor": w.manager, "outcome": Outcome.REACHED_FINE, "on_behalf_of": w.callers[1]}


def _fields(**fields):
    return lambda w, call: {"actor": w.callers[0], **fields}


BAD = [
    (_posted_twice, OutcomeConflict, "déjà enregistrée"),
    (_another_caller, CallNotYours, "ne vous est pas attribué"),
    (_another_organisations_caller, CallNotYours, "ne vous est pas attribué"),
    (_ended_membership, CallNotYours, "ne vous est pas attribué"),
    (_a_role_that_takes_no_calls, CallNotYours, "ne vous est pas attribué"),
    (_crisis_ended, OutcomeConflict, "La crise est levée"),
    (_campaign_closed, OutcomeConflict, "campagne est terminée"),
    (_stale_version, OutcomeConflict, "modifié entre-temps"),
    (_paper_sheet_by_a_caller, CallNotYours, "gestionnaire du registre"),
    (_paper_sheet_for_the_wrong_caller, CallNotYours, "autre appelant"),
    (_fields(outcome="perdu"), ValidationError, "Issue inconnue"),
    (_fields(outcome=Outcome.NEEDS_FOUND, needs=["chauffage"]), ValidationError, "Besoin inconnu « chauffage »"),
    (_fields(outcome=Outcome.NEEDS_FOUND, needs=[]), ValidationError, "au moins un des besoins"),
    (_fields(outcome=Outcome.NEEDS_FOUND, needs="se-nourrir"), ValidationError, "une liste"),
    (_fields(outcome=Outcome.REACHED_FINE, needs=["se-nourrir"]), ValidationError, "des besoins repérés"),
    (
        _fields(outcome=Outcome.NOT_REACHED, fragility_answers=cw.grid_answers()),
        ValidationError,
        "quand la personne est jointe",
    ),
    (
        _fields(outcome=Outcome.REACHED_FINE, fragility_answers={"vit_seul": "oui"}),
        ValidationError,
        "réponse manquante",
    ),
    (_fields(outcome=Outcome.REACHED_FINE, note="x" * 4001), ValidationError, "4000 caractères"),
    (_fields(outcome=Outcome.REACHED_FINE, idempotency_key="k" * 65), ValidationError, "64 caractères"),
]


@pytest.mark.parametrize(("prepare", "error", "message"), BAD, ids=[b[0].__name__.strip("_") or "fields" for b in BAD])
def test_bad_outcomes_are_refused_and_change_nothing(prepare, error, message):
    w = cw.world(callers=2)
    cw.entry(w)
    campaign = cw.open_campaign(w, callers=w.callers, crisis=cw.crisis(w))
    call = campaign.calls.get()
    if call.assigned_to != w.callers[0]:
        w.callers.reverse()
    kwargs = prepare(w, call)
    before = _state(call)
    with pytest.raises(error) as refused:
        calls.call_record_outcome(call=call, now=NOW + MINUTE, **kwargs)
    text = refused.value.message if hasattr(refused.value, "message") else " ".join(refused.value.messages)
    assert message in text
    assert _state(call) == before


def test_the_same_idempotency_key_twice_is_recorded_once():
    w = cw.world(callers=1)
    call = _one_call(w)
    first = _record(call, Outcome.NOT_REACHED, idempotency_key="essai-1", version=1)
    again = _record(call, Outcome.NOT_REACHED, idempotency_key="essai-1", version=1)
    assert (again.pk, again.attempts, again.version, again.status) == (first.pk, 1, 2, CallStatus.RETRY)
    assert call.tries.count() == 1
    # Once the call is done, the same key is still answered with the call as it is, not an error.
    done = _record(call, Outcome.REACHED_FINE, idempotency_key="essai-2", version=2)
    assert _record(call, Outcome.REACHED_FINE, idempotency_key="essai-2", version=2).version == done.version == 3
    assert call.tries.count() == 2


def test_a_key_used_by_someone_else_does_not_reveal_the_call():
    w = cw.world(callers=2)
    call = _one_call(w)
    _record(call, Outcome.NOT_REACHED, idempotency_key="k")
    with pytest.raises(CallNotYours):
        _record(call, Outcome.NOT_REACHED, actor=w.callers[1], idempotency_key="k")
