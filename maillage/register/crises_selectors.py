"""Reads about crises: the list, and the live dashboard's counts (issue 13, point 8).

The dashboard counts the calls of a crisis (or of one of its campaigns) in a fixed number of
queries, whatever the size of the register: one GROUP BY per view (by commune, by caller) with
conditional aggregation (`Count(filter=…)`); the totals are the sums of the callers' rows (every
call is in exactly one of them: its caller's, or « pas encore attribués »). The commune is the one of
the person's current address, through a LEFT JOIN (a person without a current address counts under
« Commune non renseignée »). Callers are named in the same query. A call « with an alert » is one
whose id is among the alerts' calls (`IN`, which PostgreSQL hashes once) rather than an `EXISTS` per
call (decision « perf »: 24,000 subplans, and a cost estimate that woke the JIT compiler up).

What each column counts (a call is in exactly one of the first five, and may also be escalated):
- *done*: the call ended with an outcome other than « injoignable » (reached, refused, in hospital,
  deceased, moved);
- *pending*: not tried yet (to do, or assigned to a caller);
- *failed*: tried, not reached, waiting for its next try;
- *unreachable*: not reached after the last try;
- *cancelled*: cancelled (the entry was suspended or removed, or the crisis ended);
- *escalated*: an alert was raised from the call (handled or not).
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, FilteredRelation, Q, Value, When

from maillage.core.models import User
from maillage.register.enums import CallStatus, Outcome
from maillage.register.models import Call, CallCampaign, Crisis, Escalation

COUNTS = {
    "total": Count("pk"),
    "done": Count("pk", filter=Q(status=CallStatus.DONE) & ~Q(outcome=Outcome.UNREACHABLE)),
    "pending": Count("pk", filter=Q(status__in=[CallStatus.TO_DO, CallStatus.ASSIGNED])),
    "failed": Count("pk", filter=Q(status=CallStatus.RETRY)),
    "unreachable": Count("pk", filter=Q(status=CallStatus.DONE, outcome=Outcome.UNREACHABLE)),
    "cancelled": Count("pk", filter=Q(status=CallStatus.CANCELLED)),
    # IN rather than a join: a call with two alerts counts once, and no DISTINCT is needed.
    "escalated": Count("pk", filter=Q(pk__in=Escalation.objects.values("call_id"))),
}
COUNT_KEYS = tuple(COUNTS)
NO_COMMUNE = "Commune non renseignée"
NOT_ASSIGNED = "Pas encore attribués"


@dataclass
class DashboardRow:
    label: str
    counts: dict = field(default_factory=dict)


@dataclass
class CrisisDashboard:
    totals: dict
    by_commune: list
    by_caller: list
    campaigns: list


def sorted_crises(queryset):
    """Crises in progress first, then the ended ones; the latest activated first in each group."""
    return queryset.annotate(
        in_progress=Case(
            When(ended_at__isnull=True, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    ).order_by("-in_progress", "-started_at", "-pk")


def _calls(crisis: Crisis, campaign: CallCampaign | None):
    calls = Call.objects.filter(campaign__crisis=crisis)
    if campaign is not None:
        calls = calls.filter(campaign=campaign)
    return calls


def crisis_dashboard(crisis: Crisis, campaign: CallCampaign | None = None) -> CrisisDashboard:
    """The dashboard's counts for the crisis, or for one of its campaigns (4 queries)."""
    calls = _calls(crisis, campaign)

    by_commune = []
    rows = (
        calls.annotate(
            current_address=FilteredRelation("person__addresses", condition=Q(person__addresses__is_current=True))
        )
        .values("current_address__commune__name")
        .annotate(**COUNTS)
        .order_by("current_address__commune__name")
    )
    for row in rows:
        by_commune.append(DashboardRow(row.pop("current_address__commune__name") or NO_COMMUNE, row))
    by_commune.sort(key=lambda r: (r.label == NO_COMMUNE, r.label))

    # Counted by caller id alone (a hash of a few hundred groups), then named and ordered in a second
    # query over those few hundred users: sorting the crisis's tens of thousands of calls by their
    # caller's name was most of the work.
    counts = {row.pop("assigned_to"): row for row in calls.values("assigned_to").annotate(**COUNTS).order_by()}
    names = User.objects.filter(pk__in=[pk for pk in counts if pk is not None]).order_by(
        "last_name", "first_name", "pk"
    )
    by_caller = [
        DashboardRow(f"{first} {last}".strip(), counts[pk])
        for pk, first, last in names.values_list("pk", "first_name", "last_name")
    ]
    if None in counts:
        by_caller.append(DashboardRow(NOT_ASSIGNED, counts[None]))
    # Every call is in one caller's row (or the unassigned one): the totals are their sums.
    totals = {key: sum(row.counts[key] for row in by_caller) for key in COUNT_KEYS}

    campaigns = list(CallCampaign.objects.filter(crisis=crisis).order_by("created_at", "pk"))
    return CrisisDashboard(totals=totals, by_commune=by_commune, by_caller=by_caller, campaigns=campaigns)


def open_escalations(escalations, crisis: Crisis | None = None):
    """The open alerts of a scoped queryset (`access.escalations_visible_to`), oldest first: the
    longest waiting is the most urgent. For a crisis, those raised from its calls."""
    open_ones = escalations.filter(handled_at__isnull=True)
    if crisis is not None:
        open_ones = open_ones.filter(call__campaign__crisis=crisis)
    return open_ones.select_related("entry__person", "call__campaign", "raised_by").order_by("raised_at", "pk")


def purged_counts(crisis) -> dict:
    """What the retention kept of a purged crisis's calls (retention.crisis_purge): its campaigns'
    frozen counts, summed."""
    totals = dict.fromkeys(("calls", "done", "cancelled", "alerts", "tries"), 0)
    for selection in crisis.campaigns.values_list("selection", flat=True):
        frozen = (selection or {}).get("purged_counts") or {}
        for key in totals:
            totals[key] += int(frozen.get(key) or 0)
    return totals


def crisis_summaries(crises) -> dict[int, dict]:
    """For a few crises (the dashboard panel), their calls' totals and open alerts: two queries."""
    ids = [c.pk for c in crises]
    if not ids:
        return {}
    summaries = {pk: dict.fromkeys(COUNT_KEYS, 0) | {"open_escalations": 0} for pk in ids}
    for row in Call.objects.filter(campaign__crisis__in=ids).values("campaign__crisis").annotate(**COUNTS):
        summaries[row.pop("campaign__crisis")].update(row)
    alerts = (
        Escalation.objects.filter(call__campaign__crisis__in=ids, handled_at__isnull=True)
        .values("call__campaign__crisis")
        .annotate(n=Count("pk"))
    )
    for row in alerts:
        summaries[row["call__campaign__crisis"]]["open_escalations"] = row["n"]
    return summaries
