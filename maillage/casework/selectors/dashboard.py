"""Reads of the dashboard, the first screen of a working day (issue 11, point 9).

Each panel of the dashboard is a small function over these selectors plus one include
(`casework/templates/casework/dashboard/_<panel>.html`); the panels are registered in
`casework.dashboard`. Every list here starts from a scoped queryset of the access policy
(`persons_visible_to`, `care_team_places`, `requests_visible_to`): no panel reaches a person the
user could not open from the dashboard's link, and an ended care-team place, a withdrawn consent
or an ended membership empties it at the next page.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from maillage.casework.models import CarePlan, FollowUpTask
from maillage.casework.models.plans import PlanStatus
from maillage.casework.selectors.followup import caseload
from maillage.core import access
from maillage.core.models import Organisation, User

# A plan is « to review » when its review date has passed or comes within this many days.
REVIEW_WINDOW_DAYS = 14
# Tasks « this week »: due within the next seven days (after today).
WEEK_DAYS = 7
# How many lines a panel shows before « voir tout ».
PANEL_LIMIT = 8


@dataclass
class TasksDue:
    """The actor's open follow-up tasks, overdue first, then today's, then the week's."""

    overdue: list = field(default_factory=list)
    today: list = field(default_factory=list)
    week: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.week)

    def persons(self) -> set[int]:
        return {task.person_id for task in [*self.overdue, *self.today, *self.week]}


def tasks_due(*, actor: User, organisation: Organisation, today: datetime.date | None = None) -> TasksDue:
    """The actor's open tasks set by `organisation`, due by the end of the next seven days, on
    persons whose file the actor opens there."""
    today = today or timezone.localdate()
    tasks = (
        FollowUpTask.objects.open()
        .filter(assignee=actor, organisation=organisation, due_on__lte=today + datetime.timedelta(days=WEEK_DAYS))
        .filter(person__in=access.persons_visible_to(actor, organisation))
        .select_related("person")
        .order_by("due_on", "pk")
    )
    due = TasksDue()
    for task in tasks:
        if task.due_on < today:
            due.overdue.append(task)
        elif task.due_on == today:
            due.today.append(task)
        else:
            due.week.append(task)
    return due


def plans_to_review(*, actor: User, organisation: Organisation, today: datetime.date | None = None):
    """The live plans (draft or active) the actor coordinates for `organisation` whose review date
    has passed or comes within REVIEW_WINDOW_DAYS, on persons whose file the actor opens; the
    most overdue first."""
    today = today or timezone.localdate()
    return (
        CarePlan.objects.filter(
            organisation=organisation,
            coordinator=actor,
            status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE],
            next_review_on__isnull=False,
            next_review_on__lte=today + datetime.timedelta(days=REVIEW_WINDOW_DAYS),
        )
        .filter(person__in=access.persons_visible_to(actor, organisation))
        .select_related("person")
        .order_by("next_review_on", "pk")
    )


def caseload_preview(*, actor: User, organisation: Organisation, limit: int = PANEL_LIMIT):
    """The first persons of the actor's caseload (« Mes suivis »), and how many there are."""
    persons = caseload(actor=actor, organisation=organisation)
    return list(persons[:limit]), persons.count()


def shared_with_me(*, actor: User, organisation: Organisation):
    """« Dossiers partagés avec moi »: the files of *other* organisations whose care team holds the
    actor for the organisation they work for now, through the grant's rules
    (`access.care_team_places`: social role, place not removed, consent to share in force). One
    line per place, with the person and their organisation; newest places first."""
    return (
        access.care_team_places(actor, organisation)
        .exclude(person__organisation=organisation)
        .select_related("person__organisation", "added_by")
        .order_by("-added_at", "-pk")
    )


def shared_elsewhere_count(*, actor: User, organisation: Organisation | None, memberships) -> int:
    """How many files of other organisations are shared with the actor through places held for
    another of their organisations (only a number: such a file opens only while working for that
    organisation, so the dashboard says to switch). Same rule as the panel, organisation by
    organisation (`access.care_team_places`)."""
    current = getattr(organisation, "pk", None)
    return sum(
        access.care_team_places(actor, membership.organisation)
        .exclude(person__organisation=membership.organisation)
        .exclude(person__organisation_id=current)
        .count()
        for membership in memberships
        if membership.organisation_id != current
    )


@dataclass
class OrganisationCounts:
    persons: int
    requests_this_month: int
    plans_to_review: int
    overdue_tasks: int
    active_plans: int


def organisation_counts(*, actor: User, organisation: Organisation, today: datetime.date | None = None):
    """The director's counts: numbers only, read through the scoped querysets of a role that reads
    the organisation's files; None for a role that does not."""
    if not access.has_perm(actor, organisation, access.Perm.VIEW_PERSON):
        return None
    today = today or timezone.localdate()
    own_persons = access.persons_visible_to(actor, organisation).filter(organisation=organisation)
    month_start = today.replace(day=1)
    return OrganisationCounts(
        persons=own_persons.count(),
        requests_this_month=access.requests_visible_to(actor, organisation)
        .filter(received_at__date__gte=month_start)
        .count(),
        plans_to_review=CarePlan.objects.filter(
            organisation=organisation,
            person__in=own_persons,
            status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE],
            next_review_on__lte=today + datetime.timedelta(days=REVIEW_WINDOW_DAYS),
        ).count(),
        overdue_tasks=FollowUpTask.objects.open()
        .filter(organisation=organisation, person__in=own_persons, due_on__lt=today)
        .count(),
        active_plans=CarePlan.objects.filter(
            organisation=organisation, person__in=own_persons, status=PlanStatus.ACTIVE
        ).count(),
    )
