"""Background tasks of casework (Django's task API, django-tasks backport).

`send_review_reminders` runs daily (`manage.py casework_reminders`, from the scheduler): it writes
to the coordinator of each plan whose review is due within REVIEW_REMINDER_DAYS, once per review
date.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from maillage.casework.models import CarePlan
from maillage.casework.models.plans import PlanStatus
from maillage.core.tasks import send_email

REVIEW_REMINDER_DAYS = 7


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
    base_url = getattr(settings, "MAILLAGE_BASE_URL", "").rstrip("/")
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
                "who": f"{plan.person.first_names} {plan.person.last_name[:1].upper()}.",
                "due": plan.next_review_on,
                "overdue": plan.next_review_on < timezone.localdate(),
                "url": base_url + reverse("casework:plan_detail", args=[plan.person_id, plan.pk]),
            }
            for plan in items
        ]
        body = render_to_string("casework/emails/review_reminder.txt", {"user": coordinator, "lines": lines})
        send_email.enqueue(subject=f"[Maillage] {len(lines)} plan(s) à réviser", body=body, to=[coordinator.email])
    return len(plans)
