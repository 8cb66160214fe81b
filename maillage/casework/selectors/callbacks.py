"""The reception's call-backs and next steps (« à rappeler », orientations, evaluations to
schedule): the requests whose next step someone owns, open until closed. Read through the access
policy (requests of the organisation, by the roles that read them)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from maillage.core import access
from maillage.core.models import Organisation, User

PANEL_ROWS = 8


def callback_list(*, actor: User, organisation: Organisation, mine: bool = True, visible=None) -> QuerySet:
    """The open next steps of the organisation's requests, the earliest due first; the actor's
    own (`mine`) or everyone's. `visible`: the requests the access policy already gave."""
    qs = (visible if visible is not None else access.requests_visible_to(actor, organisation)).open_follow_ups()
    if mine:
        qs = qs.filter(follow_up_owner=actor)
    return qs.select_related("person", "follow_up_owner", "oriented_to").order_by("follow_up_due", "received_at", "pk")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class ReceptionPanel:
    today_count: int = 0
    today: list = field(default_factory=list)
    callbacks_count: int = 0
    overdue_count: int = 0
    callbacks: list = field(default_factory=list)


def reception_panel(*, actor: User, organisation: Organisation | None) -> ReceptionPanel | None:
    """The reception's first screen of the day: today's requests (the latest first) and the actor's
    open call-backs (the earliest due first). None for a role that does not log requests. Four
    queries, once the access policy has read the actor's memberships (a request has them)."""
    if organisation is None or not access.can_log_request(actor, organisation):
        return None
    today = timezone.localdate()
    visible = access.requests_visible_to(actor, organisation)
    todays = visible.filter(
        received_at__gte=_start_of(today), received_at__lt=_start_of(today + datetime.timedelta(days=1))
    )
    mine = callback_list(actor=actor, organisation=organisation, visible=visible)
    counts = mine.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(follow_up_due__lt=today)))
    return ReceptionPanel(
        today_count=todays.count(),
        today=list(todays.select_related("person").order_by("-received_at", "-pk")[:PANEL_ROWS]),
        callbacks_count=counts["total"],
        overdue_count=counts["overdue"],
        callbacks=list(mine[:PANEL_ROWS]),
    )
