"""Call campaigns: build one from the register, open it, dispatch its calls among the callers.

Guide VISA, « Répartir et planifier les appels de veille »: calls split among volunteers according to
their availability; « veiller autant que possible à une relation préexistante entre appelants et
appelés ». Dispatch therefore prefers, for each call, in this order: the person's sponsor; the caller
who last spoke with the person; a caller who already knows them; then the least loaded caller — each
only if they speak the call's language and are available on the day, and below a fair share of the
work (no caller gets more than `FAIR_SHARE_SLACK` times the average while others wait).
"""

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.register.enums import REACHED_OUTCOMES, CallPurpose, CallStatus, CampaignStatus, EntryStatus
from maillage.register.models import Call, CallCampaign, Crisis, RegisterEntry, Sponsorship
from maillage.register.models.campaigns import SCRIPT_SECTIONS

FAIR_SHARE_SLACK = 1.25


class NotACaller(ApplicationError):
    """The user is not one of the campaign's callers, or may not take calls (the API answers 404)."""


class CampaignNotOpen(ApplicationError):
    """The campaign is in preparation or closed, or its crisis has ended (the API answers 409)."""


SELECTION_KEYS = ("priority", "communes", "neighbourhoods", "unconfirmed_months")


def _check(actor: User, organisation: Organisation) -> None:
    if not access.can_manage_register(actor, organisation):
        raise ApplicationError("Seul le gestionnaire du registre organise les campagnes d'appels.")


def selected_entries(organisation: Organisation, selection: dict):
    """The active entries a selection names: all, or by priority, communes (INSEE codes of the
    persons' current addresses) and neighbourhoods; `unconfirmed_months`: only the entries not
    confirmed for that many months (the yearly confirmation campaign: 12)."""
    qs = RegisterEntry.objects.filter(organisation=organisation, status=EntryStatus.ACTIVE)
    if selection.get("unconfirmed_months"):
        since = timezone.localdate() - relativedelta(months=int(selection["unconfirmed_months"]))
        qs = qs.filter(Q(confirmed_on__isnull=True) | Q(confirmed_on__lte=since))
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
    entries = selected_entries(organisation, selection).order_by("pk").values_list("pk", "person_id")
    Call.objects.bulk_create(
        [
            Call(campaign=campaign, entry_id=pk, person_id=person_id, purpose=purpose, due_at=now)
            for pk, person_id in entries
        ],
        batch_size=2000,
    )
    return campaign


@transaction.atomic
def campaign_set_callers(*, actor: User, campaign: CallCampaign, callers) -> CallCampaign:
    """Choose who calls: members of the organisation who may take calls (a signed charter)."""
    _check(actor, campaign.organisation)
    if campaign.status == CampaignStatus.CLOSED:
        raise ApplicationError("Cette campagne est terminée : ses appelants ne changent plus.")
    callers = list(callers)
    allowed = access.users_who_may_take_calls(callers, campaign.organisation)
    refused = [u for u in callers if u.pk not in allowed]
    if refused:
        names = ", ".join(u.get_full_name() or u.email for u in refused)
        raise ValidationError({"callers": f"Ne peut pas encore appeler (charte non signée ou rôle) : {names}."})
    campaign.callers.set(callers)
    return campaign


@transaction.atomic
def campaign_open(*, actor: User, campaign: CallCampaign) -> CallCampaign:
    """Open the campaign and dispatch its calls."""
    _check(actor, campaign.organisation)
    given, campaign = campaign, CallCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ApplicationError("Cette campagne est déjà ouverte ou terminée.")
    if campaign.crisis_id and not campaign.crisis.is_in_progress:
        raise ApplicationError("La crise de cette campagne est levée.")
    campaign.status = CampaignStatus.OPEN
    campaign.opened_at = timezone.now()
    campaign.save()
    dispatch(campaign)
    if campaign.calls.count() >= ANALYZE_FROM_CALLS:
        transaction.on_commit(_refresh_call_statistics)
    given.status, given.opened_at = campaign.status, campaign.opened_at  # the caller's object is current
    return campaign


#: From this many calls opened at once, PostgreSQL's statistics of the calls' table are refreshed.
ANALYZE_FROM_CALLS = 500


def _refresh_call_statistics():
    """PostgreSQL plans a query from its statistics of the table, refreshed by autovacuum a minute or
    more after a change. Right after a campaign of 20,000 calls opens they still say the campaign has
    none, and `next_call` read the campaign's calls one by one to find the caller's (8 ms instead of
    0.1), just when all the callers start (decision « perf »). ANALYZE reads a sample, locks nobody."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Call._meta.db_table)}")


@transaction.atomic
def campaign_close(*, actor: User | None, campaign: CallCampaign) -> CallCampaign:
    """Close the campaign: its calls not done are cancelled (no outcome can come after)."""
    if actor is not None:
        _check(actor, campaign.organisation)
    given, campaign = campaign, CallCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise ApplicationError("Cette campagne est déjà terminée.")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save()
    given.status, given.closed_at = campaign.status, campaign.closed_at
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


def _caller_profiles(organisation: Organisation, user_ids):
    """The volunteers' caller profiles of these users, when that module is there (else nothing).

    Used of `maillage.volunteers.selectors` (helper `vol`'s module): `callers_for(organisation)`, a
    queryset of caller profiles (filtered here by `user_id__in`) with a `user_id` and `languages` (ISO
    639 codes spoken besides French), and `is_available_at(profile, when) -> bool`."""
    try:
        from maillage.volunteers import selectors as volunteer_selectors
    except ImportError:  # pragma: no cover - the volunteers module is not installed
        return None, []
    profiles = volunteer_selectors.callers_for(organisation)
    if hasattr(profiles, "filter"):
        profiles = profiles.filter(user_id__in=list(user_ids))
    wanted = set(user_ids)
    return volunteer_selectors, [p for p in profiles if p.user_id in wanted]


def caller_infos(campaign: CallCampaign, now=None, *, users=None) -> dict[int, CallerInfo]:
    """The campaign's callers who may take calls (or only `users`), with their languages and their
    availability now (from the volunteers' caller profiles when that module is there; without a
    profile, French only and available)."""
    now = now or timezone.now()
    users = campaign.callers.all() if users is None else users
    users = list(users)
    allowed = access.users_who_may_take_calls(users, campaign.organisation)
    users = [u for u in users if u.pk in allowed]
    infos = {u.pk: CallerInfo(user_id=u.pk) for u in users}
    selectors, profiles = _caller_profiles(campaign.organisation, infos)
    for profile in profiles:
        info = infos[profile.user_id]
        info.languages = frozenset(profile.languages or ())
        info.available = selectors.is_available_at(profile, now)
    return infos


def _speaks(info: CallerInfo, language: str) -> bool:
    return not language or language == "fr" or language in info.languages


@transaction.atomic
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
    # The campaign's entries as a subquery, not a list of ids: 20,000 ids would pass SQLite's limit
    # of bound parameters and cost PostgreSQL a long IN list.
    entry_ids = campaign.calls.values("entry_id")
    sponsors = dict(
        Sponsorship.objects.filter(entry_id__in=entry_ids, ended_on__isnull=True).values_list(
            "entry_id", "volunteer_id"
        )
    )
    last_callers = {}
    for entry_id, user_id in (
        # « Spoke with »: the person was reached (a try not answered says nothing of who knows them).
        Call.objects.filter(entry_id__in=entry_ids, outcome_by__isnull=False, outcome__in=REACHED_OUTCOMES)
        .exclude(campaign=campaign)
        .order_by("entry_id", "outcome_at", "pk")
        .values_list("entry_id", "outcome_by")
    ):
        last_callers[entry_id] = user_id  # the latest wins
    known = defaultdict(list)
    for entry_id, user_id in (
        RegisterEntry.known_by_callers.through.objects.filter(registerentry_id__in=entry_ids)
        .order_by("registerentry_id", "user_id")
        .values_list("registerentry_id", "user_id")
    ):
        known[entry_id].append(user_id)
    # Calls already given in this campaign (a second dispatch after callers were added) count.
    for user_id, count in (
        campaign.calls.open()
        .filter(assigned_to__isnull=False)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if user_id in infos:
            infos[user_id].load = count

    # Unavailable callers get nothing while available ones exist.
    available = [info for info in infos.values() if info.available] or list(infos.values())
    available_ids = {info.user_id for info in available}
    total = len(calls) + sum(info.load for info in available)
    cap = math.ceil(total / len(available) * FAIR_SHARE_SLACK)
    assignment: dict[int, list[int]] = defaultdict(list)
    # The least loaded caller in O(log n): a heap of (load, id), stale entries skipped when popped
    # (a caller chosen by preference got heavier). For the few calls in another language than
    # French, the least loaded among its speakers is looked for directly.
    heap = [(info.load, info.user_id) for info in available]
    heapq.heapify(heap)

    def least_loaded() -> CallerInfo:
        while True:
            load, user_id = heap[0]
            info = infos[user_id]
            if load == info.load:
                return info
            heapq.heapreplace(heap, (info.load, user_id))

    for call_id, entry_id, language in calls:
        chosen = None
        for reason, candidate in (
            ("sponsor", sponsors.get(entry_id)),
            ("last_caller", last_callers.get(entry_id)),
            *(("knows", uid) for uid in known.get(entry_id, ())),
        ):
            info = infos.get(candidate)
            if info and info.user_id in available_ids and info.load < cap and _speaks(info, language):
                chosen = info
                report.by_reason[reason] += 1
                break
        if chosen is None:
            if not language or language == "fr":
                chosen = least_loaded()
            else:
                speakers = [i for i in available if _speaks(i, language)]
                if not speakers:
                    report.unassigned += 1
                    continue
                chosen = min(speakers, key=lambda i: (i.load, i.user_id))
            report.by_reason["balance"] += 1
        chosen.load += 1
        heapq.heappush(heap, (chosen.load, chosen.user_id))
        assignment[chosen.user_id].append(call_id)
    now = now or timezone.now()
    for user_id, ids in assignment.items():
        for start in range(0, len(ids), 1000):
            Call.objects.filter(
                pk__in=ids[start : start + 1000], status=CallStatus.TO_DO, assigned_to__isnull=True
            ).update(assigned_to_id=user_id, assigned_at=now, status=CallStatus.ASSIGNED)
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
        raise NotACaller("Vous ne pouvez pas prendre d'appels pour cette structure.")
    if not campaign.callers.filter(pk=caller.pk).exists():
        raise NotACaller("Vous ne faites pas partie des appelants de cette campagne.")
    if campaign.crisis_id and not campaign.crisis.is_in_progress:
        raise CampaignNotOpen("La crise de cette campagne est levée : il n'y a plus d'appel à passer.")
    if campaign.status == CampaignStatus.DRAFT:
        raise CampaignNotOpen("Cette campagne n'est pas encore ouverte.")
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignNotOpen("Cette campagne est terminée : il n'y a plus d'appel à passer.")
    now = now or timezone.now()
    own = (
        _due_open(campaign.calls.filter(assigned_to=caller, status__in=[CallStatus.ASSIGNED, CallStatus.RETRY]), now)
        .order_by("due_at", "pk")
        .first()
    )
    if own is not None:
        return own
    languages = caller_infos(campaign, now, users=[caller]).get(caller.pk, CallerInfo(user_id=caller.pk)).languages
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
