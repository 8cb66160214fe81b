"""Reads of requests, always scoped by the access policy (maillage.core.access)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from maillage.casework.models import Request
from maillage.casework.models.requests import RequestChannel, RequestOutcome, ResponseLevel
from maillage.core import access
from maillage.core.models import Organisation, User


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def request_list(*, actor: User, organisation: Organisation, filters: dict | None = None) -> QuerySet:
    """The requests received by `organisation` that the actor may read, newest first, filtered by
    period (`date_from`, `date_to`, inclusive local dates), `channel`, `level`, `subject` (a term)
    and `anonymous` ("yes": without person record, "no": with one)."""
    filters = filters or {}
    qs = access.requests_visible_to(actor, organisation)
    if filters.get("date_from"):
        qs = qs.filter(received_at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(received_at__lt=_start_of(filters["date_to"] + datetime.timedelta(days=1)))
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("subject"):
        qs = qs.filter(subjects=filters["subject"])
    if filters.get("anonymous") == "yes":
        qs = qs.filter(person__isnull=True)
    elif filters.get("anonymous") == "no":
        qs = qs.filter(person__isnull=False)
    qs = _by_follow_up(qs, filters.get("follow_up"), actor)
    return (
        qs.select_related("person", "handled_by", "follow_up_owner")
        .prefetch_related("subjects")
        .order_by("-received_at", "-pk")
    )


def _by_follow_up(qs: QuerySet, value: str | None, actor: User) -> QuerySet:
    """`follow_up`: "a_rappeler" (open call-backs), "ouvertes" (every open next step), "miennes"
    (open next steps the actor owns), "en_retard" (open and past their due date), "closes"."""
    if value == "a_rappeler":
        return qs.open_follow_ups().filter(outcome=RequestOutcome.CALL_BACK)
    if value == "ouvertes":
        return qs.open_follow_ups()
    if value == "miennes":
        return qs.open_follow_ups().filter(follow_up_owner=actor)
    if value == "en_retard":
        return qs.overdue()
    if value == "closes":
        return qs.follow_ups().filter(closed_at__isnull=False)
    return qs


@dataclass
class RequestCounts:
    total: int = 0
    anonymous: int = 0
    with_person: int = 0
    persons: int = 0
    minutes: int = 0
    by_level: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)


def request_counts(queryset: QuerySet) -> RequestCounts:
    """Key figures of a list of requests: how many, how many without a person record (counted all
    the same, seed 002 « personnes non répertoriées »), distinct persons, time spent, per level and
    channel. Three queries."""
    qs = queryset.order_by()
    totals = qs.aggregate(
        total=Count("pk", distinct=True),
        anonymous=Count("pk", filter=Q(person__isnull=True), distinct=True),
        persons=Count("person", distinct=True),
        minutes=Sum("time_spent_minutes"),
    )
    per_level = dict(qs.values_list("level").annotate(n=Count("pk", distinct=True)).order_by("level"))
    per_channel = dict(qs.values_list("channel").annotate(n=Count("pk", distinct=True)).order_by("channel"))
    return RequestCounts(
        total=totals["total"],
        anonymous=totals["anonymous"],
        with_person=totals["total"] - totals["anonymous"],
        persons=totals["persons"],
        minutes=totals["minutes"] or 0,
        by_level=[(label, per_level.get(value, 0)) for value, label in ResponseLevel.choices],
        by_channel=[(label, per_channel.get(value, 0)) for value, label in RequestChannel.choices],
    )


def request_get(*, actor: User, organisation: Organisation, pk) -> Request:
    """One request with what its page shows, authorised (404 otherwise)."""
    request_obj = access.get_request_for(actor, organisation, pk, "view")
    return (
        Request.objects.select_related(
            "person", "handled_by", "organisation", "follow_up_owner", "closed_by", "oriented_to__organisation"
        )
        .prefetch_related("subjects", "services_given__organisation")
        .get(pk=request_obj.pk)
    )
