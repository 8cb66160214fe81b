"""Sponsorship (« parrainage »): one volunteer keeps long-term friendly calls with one registered
person (guide VISA: « la mise en place d'un système de parrainage des personnes avec un volontaire de
sa ville, en charge d'assurer un lien sur le long-terme »).

- The register manager creates it (an active entry, a volunteer of the organisation who may take
  calls, one sponsor at a time), changes its frequency and ends it.
- The sponsor's calls are friendly calls in the organisation's standing campaign « Appels de suivi »,
  one open at a time, each due `every_days` after the last call reached (the first one the next
  morning), assigned to the sponsor. `sponsorship_schedule_calls` runs daily (register.tasks) and
  creates the next call where none is open; an outcome recorded on a sponsored call plans the next
  one at once (orientation.plan_follow_ups).
- Calls become less frequent only once the person has been told (guide VISA: « si la fréquence des
  appels doit être diminuée, il est important de le préparer avec les personnes appelées »). The
  manager plans the spacing (`sponsorship_change_frequency` with a larger interval: a *pending*
  change); the sponsor's next friendly call shows the announcement to make, and a reached outcome with
  « annoncé » ticked records it (`record_spacing_announced`, from `calls.call_record_outcome`): the
  new interval plans the call after. Not reached, or not ticked: the prompt stays on the next call.
  The manager may cancel the pending change, or, when the person was told otherwise (in person), give
  the day it was done: the interval applies at once.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Membership, Organisation, User
from maillage.register.enums import REACHED_OUTCOMES, CallPurpose, CallStatus, EntryStatus
from maillage.register.models import Call, RegisterEntry, Sponsorship

ONE_AT_A_TIME = "Cette personne a déjà un parrain ou une marraine : mettez fin à ce parrainage d'abord."


def _check(actor: User, organisation: Organisation) -> None:
    if not access.can_manage_register(actor, organisation):
        raise ApplicationError("Seul le gestionnaire du registre organise les parrainages.")


def possible_sponsors(organisation: Organisation):
    """The organisation's volunteers who may take calls (an active membership, the charter signed)."""
    memberships = Membership.objects.active().filter(organisation=organisation, role=Role.VOLUNTEER)
    users = User.objects.filter(pk__in=memberships.values("user_id"), is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
    return [u for u in users if access.may_take_calls(u, organisation)]


def _validate_every_days(every_days) -> int:
    try:
        every_days = int(every_days)
    except (TypeError, ValueError):
        raise ValidationError({"every_days": "Indiquez un nombre de jours entre deux appels."}) from None
    if every_days < 1 or every_days > 90:
        raise ValidationError({"every_days": "La fréquence va d'un appel par jour à un appel tous les 90 jours."})
    return every_days


@transaction.atomic
def sponsorship_create(
    *,
    actor: User,
    organisation: Organisation,
    entry: RegisterEntry,
    volunteer: User,
    every_days: int,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Sponsorship:
    """Pair the person with the volunteer; the first call is due the next morning."""
    _check(actor, organisation)
    now = now or timezone.now()
    entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.organisation_id != organisation.pk:
        raise ApplicationError("Cette inscription n'est pas au registre de votre structure.")
    if entry.status != EntryStatus.ACTIVE:
        raise ValidationError({"entry": "Seule une personne inscrite (inscription active) peut être parrainée."})
    if volunteer not in possible_sponsors(organisation):
        raise ValidationError(
            {"volunteer": "Choisissez un·e bénévole de la structure qui peut appeler (charte signée)."}
        )
    if entry.sponsorships.filter(ended_on__isnull=True).exists():
        raise ValidationError({"entry": ONE_AT_A_TIME})
    sponsorship = Sponsorship(
        organisation=organisation,
        entry=entry,
        volunteer=volunteer,
        every_days=_validate_every_days(every_days),
        note=note.strip(),
        started_on=timezone.localdate(now),
        created_by=actor,
    )
    sponsorship.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            sponsorship.save()
    except IntegrityError:
        raise ValidationError({"entry": ONE_AT_A_TIME}) from None
    # The person's open friendly calls become the sponsor's.
    entry.calls.open().filter(purpose=CallPurpose.FRIENDLY).update(status=CallStatus.CANCELLED)
    schedule_next_call(sponsorship, now=now)
    return sponsorship


@transaction.atomic
def sponsorship_end(
    *, actor: User, organisation: Organisation, sponsorship: Sponsorship, now: datetime.datetime | None = None
) -> Sponsorship:
    """End the sponsorship: its open call is cancelled (the manager plans what comes next)."""
    _check(actor, organisation)
    sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    if sponsorship.organisation_id != organisation.pk:
        raise ApplicationError("Ce parrainage n'est pas celui de votre structure.")
    if sponsorship.ended_on is not None:
        raise ApplicationError("Ce parrainage est déjà terminé.")
    sponsorship.ended_on = timezone.localdate(now or timezone.now())
    sponsorship.save(update_fields=["ended_on"])
    sponsorship.entry.calls.open().filter(purpose=CallPurpose.FRIENDLY, assigned_to=sponsorship.volunteer).update(
        status=CallStatus.CANCELLED
    )
    return sponsorship


def every_days_phrase(days: int) -> str:
    """« tous les jours », « toutes les semaines », « tous les 10 jours »."""
    if days == 1:
        return "tous les jours"
    if days == 7:
        return "toutes les semaines"
    if days == 14:
        return "toutes les deux semaines"
    return f"tous les {days} jours"


def _locked_running(actor: User, organisation: Organisation, sponsorship: Sponsorship) -> Sponsorship:
    _check(actor, organisation)
    sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    if sponsorship.organisation_id != organisation.pk:
        raise ApplicationError("Ce parrainage n'est pas celui de votre structure.")
    if sponsorship.ended_on is not None:
        raise ApplicationError("Ce parrainage est terminé.")
    return sponsorship


def _clear_pending(sponsorship: Sponsorship) -> None:
    sponsorship.pending_every_days = None
    sponsorship.pending_since = None
    sponsorship.pending_by = None


_FREQUENCY_FIELDS = [
    "every_days",
    "pending_every_days",
    "pending_since",
    "pending_by",
    "spacing_announced_on",
    "spacing_announced_by",
    "spacing_announced_call",
]


@transaction.atomic
def sponsorship_change_frequency(
    *,
    actor: User,
    organisation: Organisation,
    sponsorship: Sponsorship,
    every_days,
    spacing_announced_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Sponsorship:
    """Change how often the sponsor calls.

    - More frequent (or the same): applies at once; a pending spacing is dropped.
    - Less frequent, `spacing_announced_on` not given: a *pending* change — the interval stays until
      the sponsor announces it during a call reached (`record_spacing_announced`).
    - Less frequent, `spacing_announced_on` given (the person was told otherwise, e.g. in person; not
      in the future, not before the sponsorship): applies at once, the actor recorded as who said so.
    """
    now = now or timezone.now()
    sponsorship = _locked_running(actor, organisation, sponsorship)
    every_days = _validate_every_days(every_days)
    if every_days > sponsorship.every_days and spacing_announced_on is None:
        sponsorship.pending_every_days = every_days
        sponsorship.pending_since = now
        sponsorship.pending_by = actor
        sponsorship.full_clean(validate_constraints=False)
        sponsorship.save(update_fields=_FREQUENCY_FIELDS)
        return sponsorship
    if every_days > sponsorship.every_days:
        if spacing_announced_on > timezone.localdate(now):
            raise ValidationError({"spacing_announced_on": "Cette date ne peut pas être dans le futur."})
        if spacing_announced_on < sponsorship.started_on:
            raise ValidationError({"spacing_announced_on": "Cette date ne peut pas précéder le début du parrainage."})
        sponsorship.spacing_announced_on = spacing_announced_on
        sponsorship.spacing_announced_by = actor
        sponsorship.spacing_announced_call = None
    _clear_pending(sponsorship)
    sponsorship.every_days = every_days
    sponsorship.full_clean(validate_constraints=False)
    sponsorship.save(update_fields=_FREQUENCY_FIELDS)
    # The open call not yet tried follows the new frequency.
    open_call = _open_call(sponsorship)
    if open_call is not None and open_call.attempts == 0:
        open_call.due_at = _next_due(sponsorship, now)
        open_call.save(update_fields=["due_at"])
    return sponsorship


@transaction.atomic
def sponsorship_cancel_spacing(*, actor: User, organisation: Organisation, sponsorship: Sponsorship) -> Sponsorship:
    """The manager drops the pending spacing: the sponsor has nothing to announce, the interval stays."""
    sponsorship = _locked_running(actor, organisation, sponsorship)
    if sponsorship.pending_every_days is None:
        raise ApplicationError("Aucun espacement des appels n'est prévu pour ce parrainage.")
    _clear_pending(sponsorship)
    sponsorship.save(update_fields=["pending_every_days", "pending_since", "pending_by"])
    return sponsorship


def spacing_to_announce(call: Call) -> Sponsorship | None:
    """The running sponsorship whose pending spacing this call is to announce: a friendly call, still
    open, assigned to the sponsor. None otherwise (another caller, a watch or crisis call)."""
    if call.purpose != CallPurpose.FRIENDLY or not call.is_open or call.assigned_to_id is None:
        return None
    return Sponsorship.objects.filter(
        entry_id=call.entry_id,
        ended_on__isnull=True,
        volunteer_id=call.assigned_to_id,
        pending_every_days__isnull=False,
    ).first()


def spacing_starts_on(sponsorship: Sponsorship, now: datetime.datetime | None = None) -> datetime.date:
    """The day of the first spaced call, if the announcement is made today."""
    return timezone.localdate(now or timezone.now()) + datetime.timedelta(days=sponsorship.pending_every_days)


def spacing_prompt(sponsorship: Sponsorship, now: datetime.datetime | None = None) -> str:
    """What the sponsor says, in the caller's words."""
    from maillage.core.grammar import long_date

    every = every_days_phrase(sponsorship.pending_every_days)
    starts = long_date(spacing_starts_on(sponsorship, now))
    return f"Annoncez à la personne que les appels seront désormais espacés : {every} à partir du {starts}."


def spacing_announcement_for(call: Call) -> Sponsorship:
    """The sponsorship (locked) whose pending spacing the caller says they announced during `call`,
    checked before anything is written (`calls.call_record_outcome`). A ValidationError when there
    is nothing to announce: the manager cancelled it meanwhile, or the call is not the sponsor's
    friendly call."""
    sponsorship = spacing_to_announce(call)
    if sponsorship is not None:
        sponsorship = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    if sponsorship is None or sponsorship.pending_every_days is None:
        raise ValidationError(
            {
                "spacing_announced": (
                    "Aucun espacement des appels n'est à annoncer lors de cet appel (le gestionnaire du registre "
                    "l'a peut-être annulé) : décochez la case."
                )
            }
        )
    return sponsorship


def record_spacing_announced(*, sponsorship: Sponsorship, call: Call, by: User, now: datetime.datetime) -> Sponsorship:
    """The sponsor announced the pending spacing during `call`, reached: the new interval is the
    sponsorship's, so that the next call, planned right after (orientation.plan_follow_ups), comes
    with it."""
    sponsorship.every_days = sponsorship.pending_every_days
    _clear_pending(sponsorship)
    sponsorship.spacing_announced_on = timezone.localdate(now)
    sponsorship.spacing_announced_by = by
    sponsorship.spacing_announced_call = call
    sponsorship.full_clean(validate_constraints=False)
    sponsorship.save(update_fields=_FREQUENCY_FIELDS)
    return sponsorship


def _open_call(sponsorship: Sponsorship) -> Call | None:
    return sponsorship.entry.calls.open().filter(purpose=CallPurpose.FRIENDLY).order_by("due_at", "pk").first()


def _next_due(sponsorship: Sponsorship, now: datetime.datetime) -> datetime.datetime:
    from maillage.register.services.orientation import follow_up_moment

    last = (
        Call.objects.filter(entry=sponsorship.entry, outcome__in=REACHED_OUTCOMES, outcome_at__isnull=False)
        .order_by("-outcome_at")
        .values_list("outcome_at", flat=True)
        .first()
    )
    today = timezone.localdate(now)
    if last is None or timezone.localdate(last) < sponsorship.started_on:
        return follow_up_moment(now, 1)  # the sponsor's first call: the next morning
    due_day = timezone.localdate(last) + datetime.timedelta(days=sponsorship.every_days)
    return follow_up_moment(now, max((due_day - today).days, 0))


def schedule_next_call(
    sponsorship: Sponsorship, *, now: datetime.datetime | None = None, follows: Call | None = None
) -> Call | None:
    """The sponsor's next friendly call, unless one is open (or the entry is not active, or an alert
    about the person waits for the manager)."""
    from maillage.register.services.orientation import create_follow_up_call, standing_campaign

    now = now or timezone.now()
    entry = sponsorship.entry
    if sponsorship.ended_on is not None or entry.status != EntryStatus.ACTIVE:
        return None
    if entry.escalations.filter(handled_at__isnull=True).exists() or _open_call(sponsorship) is not None:
        return None
    organisation = sponsorship.organisation
    caller = sponsorship.volunteer if access.may_take_calls(sponsorship.volunteer, organisation) else None
    return create_follow_up_call(
        campaign=standing_campaign(organisation),
        entry=entry,
        purpose=CallPurpose.FRIENDLY,
        due_at=_next_due(sponsorship, now),
        caller=caller,
        follows=follows,
        now=now,
    )


def sponsorship_schedule_calls(now: datetime.datetime | None = None) -> int:
    """The daily run: the next call of every running sponsorship that has none open. Returns how many
    calls were created."""
    now = now or timezone.now()
    created = 0
    running = Sponsorship.objects.filter(ended_on__isnull=True, entry__status=EntryStatus.ACTIVE).select_related(
        "entry", "organisation", "volunteer"
    )
    for sponsorship in running.iterator():
        with transaction.atomic():
            if schedule_next_call(sponsorship, now=now) is not None:
                created += 1
    return created


def next_call_for(sponsorship: Sponsorship) -> Call | None:
    """The sponsorship's next call (open), for the lists."""
    return _open_call(sponsorship)
