"""Reads of the campaign pages and the caller's screen (issue 13, point 4): counts, callers' loads,
a caller's campaigns and due calls. Every queryset comes scoped from core.access.register."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from maillage.core import access
from maillage.core.models import User
from maillage.register.enums import CallStatus, CampaignStatus, Outcome
from maillage.register.models import CallCampaign


@dataclass
class CampaignCounts:
    total: int = 0
    to_do: int = 0  # not assigned yet (shared pool)
    assigned: int = 0
    retry: int = 0
    done: int = 0
    cancelled: int = 0
    outcomes: list = field(default_factory=list)  # [(label, count)]
    open_escalations: int = 0


def campaign_counts(campaign: CallCampaign) -> CampaignCounts:
    by_status = dict(campaign.calls.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    counts = CampaignCounts(
        total=sum(by_status.values()),
        to_do=by_status.get(CallStatus.TO_DO, 0),
        assigned=by_status.get(CallStatus.ASSIGNED, 0),
        retry=by_status.get(CallStatus.RETRY, 0),
        done=by_status.get(CallStatus.DONE, 0),
        cancelled=by_status.get(CallStatus.CANCELLED, 0),
    )
    by_outcome = dict(
        campaign.calls.filter(status=CallStatus.DONE)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    counts.outcomes = [(label, by_outcome[value]) for value, label in Outcome.choices if by_outcome.get(value)]
    from maillage.register.models import Escalation

    counts.open_escalations = Escalation.objects.filter(call__campaign=campaign, handled_at__isnull=True).count()
    return counts


@dataclass
class CallerLoad:
    user: User
    open: int
    due: int
    done: int
    may_call: bool


def caller_loads(campaign: CallCampaign) -> list[CallerLoad]:
    """Each caller of the campaign with their open calls (due now or later) and their calls done."""
    now = timezone.now()
    rows = {
        row["assigned_to"]: row
        for row in campaign.calls.filter(assigned_to__isnull=False)
        .values("assigned_to")
        .annotate(
            open=Count("pk", filter=Q(status__in=[CallStatus.ASSIGNED, CallStatus.RETRY])),
            due=Count("pk", filter=Q(status__in=[CallStatus.ASSIGNED, CallStatus.RETRY], due_at__lte=now)),
        )
    }
    done = dict(
        campaign.calls.filter(status=CallStatus.DONE, outcome_by__isnull=False)
        .values_list("outcome_by")
        .annotate(n=Count("pk"))
        .values_list("outcome_by", "n")
    )
    loads = []
    for user in campaign.callers.order_by("last_name", "first_name", "pk"):
        row = rows.get(user.pk, {})
        loads.append(
            CallerLoad(
                user=user,
                open=row.get("open", 0),
                due=row.get("due", 0),
                done=done.get(user.pk, 0),
                may_call=access.may_take_calls(user, campaign.organisation),
            )
        )
    return loads


def caller_campaigns(user: User, organisation) -> list[CallCampaign]:
    """The open campaigns of the organisation the user calls for (nothing if they may not take calls)."""
    if organisation is None or not access.may_take_calls(user, organisation):
        return []
    return list(
        CallCampaign.objects.filter(
            organisation=organisation, status=CampaignStatus.OPEN, callers=user, crisis__ended_at__isnull=True
        )
        .select_related("crisis")
        .order_by("opened_at", "pk")
    )


def due_calls(user: User, organisation, campaign: CallCampaign):
    """The user's calls of the campaign that are due now (their own, assigned or to try again)."""
    return (
        access.calls_assigned_to(user, organisation)
        .filter(campaign=campaign, due_at__lte=timezone.now())
        .select_related("person")
        .order_by("due_at", "pk")
    )


def later_calls_count(user: User, organisation, campaign: CallCampaign) -> int:
    return access.calls_assigned_to(user, organisation).filter(campaign=campaign, due_at__gt=timezone.now()).count()


def pool_count(campaign: CallCampaign) -> int:
    """Calls of the campaign nobody has yet, due now: the first caller to ask takes them."""
    return campaign.calls.filter(status=CallStatus.TO_DO, assigned_to__isnull=True, due_at__lte=timezone.now()).count()
