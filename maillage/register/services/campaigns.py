"""Call campaigns: build one from the register, open it, dispatch its calls among the callers.

Guide VISA, « Répartir et planifier les appels de veille »: calls split among volunteers according to
their availability; « veiller autant que possible à une relation préexistante entre appelants et
appelés ». Dispatch therefore prefers, for each call, in this order: the person's sponsor; the caller
who last spoke with the person; a caller who already knows them; then the least loaded caller — each
only if they speak the call's language and are available on the day, and below a fair share of the
work (no caller gets more than `FAIR_SHARE_SLACK` times the average while others wait).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.register.enums import CallPurpose, CallStatus, CampaignStatus, EntryStatus
from maillage.register.models import Call, CallCampaign, Crisis, RegisterEntry, Sponsorship
from maillage.register.models.campaigns import SCRIPT_SECTIONS

FAIR_SHARE_SLACK = 1.25

SELECTION_KEYS = ("priority", "communes", "neighbourhoods")


def _check(actor: User, organisation: Organisation) -> None:
    if not access.can_manage_register(actor, organisation):
        raise ApplicationError("Seul le gestionnaire du registre organise les campagnes d'appels.")


def selected_entries(organisation: Organisation, selection: dict):
    """The active entries a selection names: all, or by priority, communes (INSEE codes of the
    persons' current addresses) and neighbourhoods."""
    qs = RegisterEntry.objects.filter(organisation=organisation, status=EntryStatus.ACTIVE)
    if selection.get("priority"):
        qs = qs.filter(priority__lte=int(selection["priority"]))
    if selection.get("communes"):
        qs = qs.filter(person__addresses__is_current=True, person__addresses__commune__code__in=selection["communes"])
    if selection.get("neighbourhoods"):
        qs = qs.filter(neighbourhood__in=selection["neighbourhoods"])
    return qs.distinct()


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    purpose: str = CallPurpose.EVALUATION,
    crisis: Crisis | None = None,
    selection: dict | None = None,
    script: dict | None = None,
    callers=(),
    max_attempts: int | None = None,
    retry_delays: list[int] | None = None,
) -> CallCampaign:
    """Build a campaign (in preparation) and one call per selected active entry."""
    _check(actor, organisation)
    if crisis is not None and (crisis.organisation_id != organisation.pk or not crisis.is_in_progress):
        raise ApplicationError("Une campagne se rattache à une crise en cours de la structure.")
    selection = {k: v for k, v in (selection or {}).items() if k in SELECTION_KEYS and v}
    campaign = CallCampaign(
        organisation=organisation,
        crisis=crisis,
        title=title,
        purpose=purpose,
        selection=selection,
        created_by=actor,
        max_attempts=max_attempts or settings.REGISTER_MAX_ATTEMPTS,
        retry_delays=list(retry_delays if retry_delays is not None else settings.REGISTER_RETRY_DELAYS_MINUTES),
        **{name: (script or {}).get(name, "") for name, _ in SCRIPT_SECTIONS},
    )
    campaign.full_clean()
    campaign.save()
    if callers:
        campaign_set_callers(actor=actor, campaign=campaign, callers=callers)
    now = timezone.now()
    entries = selected_entries(organisation, selection).values_list("pk", "person_id")
    Call.objects.bulk_create(
        [
            Call(campaign=campaign, entry_id=pk, person_id=person_id, purpose=purpose, due_at=now)
            for pk, person_id in entries
        ],
        batch_size=2000,
    )
    return campaign


def campaign_set_callers(*, actor: User, campaign: CallCampaign, callers) -> CallCampaign:
    """Choose who calls: members of the organisation who may take calls (a signed charter)."""
    _check(actor, campaign.organisation)
    refused = [u for u in callers if not access.may_take_calls(u, campaign.organisation)]
    if refused:
        names = ", ".join(u.get_full_name() or u.email for u in refused)
        raise ValidationError({"callers": f"Ne peut pas encore appeler (charte non signée ou rôle) : {names}."})
    campaign.callers.set(callers)
    return campaign


@transaction.atomic
def campaign_open(*, actor: User, campaign: CallCampaign) -> CallCampaign:
    """Open the campaign and dispatch its calls."""
    _check(actor, campaign.organisation)
    campaign = CallCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ApplicationError("Cette campagne est déjà ouverte ou terminée.")
    if campaign.crisis_id and not campaign.crisis.is_in_progress:
        raise ApplicationError("La crise de cette campagne est levée.")
    campaign.status = CampaignStatus.OPEN
    campaign.opened_at = timezone.now()
    campaign.save()
    dispatch(campaign)
    return campaign


@transaction.atomic
def campaign_close(*, actor: User | None, campaign: CallCampaign) -> CallCampaign:
    """Close the campaign: its calls not done are cancelled (no outcome can come after)."""
    if actor is not None:
        _check(actor, campaign.organisation)
    if campaign.status == CampaignStatus.CLOSED:
        raise ApplicationError("Cette campagne est déjà terminée.")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save()
    campaign.calls.open().update(status=CallStatus.CANCELLED)
    return campaign


# --- Dispatch --------------------------------------------------------------------------------------


@dataclass
class CallerInfo:
    user_id: int
    languages: frozenset = frozenset()
    available: bool = True
    load: int = 0


@dataclass
class DispatchReport:
    assigned: int = 0
    unassigned: int = 0  # left in the shared pool (no caller speaks the language, or no caller)
    by_reason: dict = field(default_factory=lambda: defaultdict(int))


def caller_infos(campaign: CallCampaign, now=None) -> dict[int, CallerInfo]:
    """The campaign's callers who may take calls, with their languages and today's availability
    (from the volunteers' caller profiles when that module is there)."""
    now = now or timezone.now()
    users = [u for u in campaign.callers.all() if access.may_take_calls(u, campaign.organisation)]
    infos = {u.pk: CallerInfo(user_id=u.pk) for u in users}
    try:
        from maillage.volunteers import selectors as volunteer_selectors
    except ImportError:  # pragma: no cover - the volunteers module is not installed
        return infos
    for profile in volunteer_selectors.callers_for(campaign.organisation):
        info = infos.get(profile.user_id)
        if info is not None:
            info.languages = frozenset(profile.language_codes())
            info.available = volunteer_selectors.is_available_on(profile, timezone.localdate(now))
    return infos


def _speaks(info: CallerInfo, language: str) -> bool:
    return not language or language == "fr" or language in info.languages


def dispatch(campaign: CallCampaign, *, now=None) -> DispatchReport:
    """Assign the campaign's unassigned calls (module docstring). Calls no caller can take stay in
    the shared pool, where `next_call` gives them to the first caller who can."""
    report = DispatchReport()
    infos = caller_infos(campaign, now)
    calls = list(
        campaign.calls.filter(status=CallStatus.TO_DO, assigned_to__isnull=True)
        .order_by("entry__priority", "pk")
        .values_list("pk", "entry_id", "entry__language")
    )
    if not calls or not infos:
        report.unassigned = len(calls)
        return report
    entry_ids = [entry_id for _, entry_id, _ in calls]
    sponsors = dict(
        Sponsorship.objects.filter(entry_id__in=entry_ids, ended_on__isnull=True).values_list(
            "entry_id", "volunteer_id"
        )
    )
    last_callers = {}
    for entry_id, user_id in (
        Call.objects.filter(entry_id__in=entry_ids, outcome_by__isnull=False)
        .exclude(campaign=campaign)
        .order_by("entry_id", "outcome_at")
        .values_list("entry_id", "outcome_by")
    ):
        last_callers[entry_id] = user_id  # the latest wins
    known = defaultdict(list)
    for entry_id, user_id in RegisterEntry.known_by_callers.through.objects.filter(
        registerentry_id__in=entry_ids
    ).values_list("registerentry_id", "user_id"):
        known[entry_id].append(user_id)

    available = [info for info in infos.values() if info.available] or list(infos.values())
    cap = math.ceil(len(calls) / len(available) * FAIR_SHARE_SLACK)
    assignment: dict[int, list[int]] = defaultdict(list)
    for call_id, entry_id, language in calls:
        chosen = None
        for reason, candidate in (
            ("sponsor", sponsors.get(entry_id)),
            ("last_caller", last_callers.get(entry_id)),
            *(("knows", uid) for uid in known.get(entry_id, ())),
        ):
            info = infos.get(candidate)
            if info and info.available and info.load < cap and _speaks(info, language):
                chosen = info
                report.by_reason[reason] += 1
                break
        if chosen is None:
            speakers = [i for i in available if _speaks(i, language)]
            if not speakers:
                report.unassigned += 1
                continue
            chosen = min(speakers, key=lambda i: (i.load, i.user_id))
            report.by_reason["balance"] += 1
        chosen.load += 1
        assignment[chosen.user_id].append(call_id)
    now = now or timezone.now()
    for user_id, ids in assignment.items():
        for start in range(0, len(ids), 1000):
            Call.objects.filter(pk__in=ids[start : start + 1000], status=CallStatus.TO_DO).update(
                assigned_to_id=user_id, assigned_at=now, status=CallStatus.ASSIGNED
            )
        report.assigned += len(ids)
    return report


# --- The caller's next call ------------------------------------------------------------------------


def _due_open(qs, now):
    return qs.filter(due_at__lte=now, campaign__status=CampaignStatus.OPEN, campaign__crisis__ended_at__isnull=True)


@transaction.atomic
def next_call(*, caller: User, campaign: CallCampaign, now=None) -> Call | None:
    """The caller's next call in the campaign, or None: first a due call of their own (a retry, a
    call dispatched to them), else one taken from the shared pool — locked with SKIP LOCKED on
    PostgreSQL so that two callers asking at the same moment never get the same call (on SQLite the
    write transaction is taken at its start, IMMEDIATE: callers are served one after the other)."""
    if not access.may_take_calls(caller, campaign.organisation):
        raise ApplicationError("Vous ne pouvez pas prendre d'appels pour cette structure.")
    if campaign.status != CampaignStatus.OPEN or (campaign.crisis_id and not campaign.crisis.is_in_progress):
        raise ApplicationError("Cette campagne n'est pas ouverte.")
    if not campaign.callers.filter(pk=caller.pk).exists():
        raise ApplicationError("Vous ne faites pas partie des appelants de cette campagne.")
    now = now or timezone.now()
    own = (
        _due_open(campaign.calls.filter(assigned_to=caller, status__in=[CallStatus.ASSIGNED, CallStatus.RETRY]), now)
        .order_by("due_at", "pk")
        .first()
    )
    if own is not None:
        return own
    languages = caller_infos(campaign, now).get(caller.pk, CallerInfo(user_id=caller.pk)).languages
    pool = _due_open(campaign.calls.filter(status=CallStatus.TO_DO, assigned_to__isnull=True), now).filter(
        Q(entry__language="") | Q(entry__language="fr") | Q(entry__language__in=languages)
    )
    taken = pool.order_by("entry__priority", "due_at", "pk").select_for_update(skip_locked=True, of=("self",)).first()
    if taken is None:
        return None
    taken.assigned_to = caller
    taken.assigned_at = now
    taken.status = CallStatus.ASSIGNED
    taken.save(update_fields=["assigned_to", "assigned_at", "status"])
    return taken
