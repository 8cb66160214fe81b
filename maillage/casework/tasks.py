"""Background tasks of casework (Django's task API, django-tasks backport).

Both run daily (`manage.py casework_reminders`, from the scheduler):
- `send_review_reminders` writes to the coordinator of each plan whose review is due within
  REVIEW_REMINDER_DAYS, once per review date;
- `send_followup_task_digests` writes to each coordinator, at most once a day, the follow-up tasks
  they must do today or are late with.

The links are absolute, built on settings.MAILLAGE_BASE_URL (no request to take the address from).
Only first names and initials leave in the e-mails: neither last names nor the tasks' free text.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from maillage.casework.models import CarePlan, FollowUpTask
from maillage.casework.models.plans import PlanStatus
from maillage.core import grammar
from maillage.core.models import Membership
from maillage.core.tasks import send_email

REVIEW_REMINDER_DAYS = 7


def absolute_url(path: str) -> str:
    """The address to put in an e-mail for a path of the site (`reverse(...)`)."""
    return settings.MAILLAGE_BASE_URL.rstrip("/") + path


def _who(person) -> str:
    return f"{person.first_names} {person.last_name[:1].upper()}."


def plans_due_for_review(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return (
        CarePlan.objects.filter(
            status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE],
            next_review_on__isnull=False,
            next_review_on__lte=today + datetime.timedelta(days=REVIEW_REMINDER_DAYS),
            coordinator__is_active=True,
        )
        .exclude(review_reminder_sent_for=F("next_review_on"))
        .select_related("coordinator", "person", "organisation")
    )


@task()
def send_review_reminders() -> int:
    """E-mail each coordinator the plans whose review is due (one e-mail per coordinator), and mark
    them reminded for that review date. Only first names and initials leave in the e-mail."""
    by_coordinator: dict = {}
    with transaction.atomic():
        plans = list(plans_due_for_review().select_for_update(of=("self",)))
        for plan in plans:
            by_coordinator.setdefault(plan.coordinator, []).append(plan)
            plan.review_reminder_sent_for = plan.next_review_on
            plan.save(update_fields=["review_reminder_sent_for"])
    for coordinator, items in by_coordinator.items():
        lines = [
            {
                "who": _who(plan.person),
                "due": plan.next_review_on,
                "overdue": plan.next_review_on < timezone.localdate(),
                "url": absolute_url(reverse("casework:plan_detail", args=[plan.person_id, plan.pk])),
            }
            for plan in items
        ]
        body = render_to_string("casework/emails/review_reminder.txt", {"user": coordinator, "lines": lines})
        send_email.enqueue(
            subject=f"[Maillage] {grammar.count(len(lines), 'plan')} à réviser", body=body, to=[coordinator.email]
        )
    return len(plans)


def followup_tasks_due(today: datetime.date | None = None):
    """Open tasks due today or late, not yet in today's digest, whose assignee is active and still
    an active member of the organisation that set them (a former member hears no more of its persons)."""
    today = today or timezone.localdate()
    still_member = Membership.objects.filter(
        user=OuterRef("assignee"), organisation=OuterRef("organisation"), is_active=True
    )
    return (
        FollowUpTask.objects.open()
        .filter(due_on__lte=today, assignee__is_active=True)
        .filter(Exists(still_member))
        .exclude(reminded_on=today)
        .select_related("assignee", "person")
        .order_by("assignee_id", "due_on", "pk")
    )


@task()
def send_followup_task_digests() -> int:
    """E-mail each coordinator one digest of their follow-up tasks due today or late, and mark the
    tasks reminded today: the digest goes at most once a day, and a late task comes back each day
    until it is done. Returns the number of tasks in the digests."""
    today = timezone.localdate()
    by_assignee: dict = {}
    with transaction.atomic():
        tasks = list(followup_tasks_due(today).select_for_update(of=("self",)))
        for followup_task in tasks:
            by_assignee.setdefault(followup_task.assignee, []).append(followup_task)
        FollowUpTask.objects.filter(pk__in=[t.pk for t in tasks]).update(reminded_on=today)
        for assignee, items in by_assignee.items():
            lines = [
                {
                    "who": _who(item.person),
                    "due": item.due_on,
                    "overdue": item.due_on < today,
                    "url": absolute_url(reverse("casework:note_list", args=[item.person_id])),
                }
                for item in items
            ]
            context = {"user": assignee, "lines": lines, "caseload_url": absolute_url(reverse("casework:caseload"))}
            body = render_to_string("casework/emails/followup_task_digest.txt", context)
            # Queued in the same transaction: the tasks are marked reminded only if the e-mail is queued.
            send_email.enqueue(
                subject=f"[Maillage] {grammar.count(len(lines), 'tâche')} de suivi à faire",
                body=body,
                to=[assignee.email],
            )
    return len(tasks)
