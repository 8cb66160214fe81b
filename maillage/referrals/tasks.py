"""Reminders (issue 14, point 2): a referral sent or received with no answer after
REFERRALS_REMINDER_DAYS is « en retard »; the partner's members who receive referrals get one e-mail
per organisation with how many wait — no name, no reason, a link to the inbox — and again every
REFERRALS_REMINDER_DAYS while they wait (`manage.py referrals_reminders`, daily).

A partner without an account (decision « nolink ») is reminded at the address its link went to, one
e-mail per referral carrying a new link (the previous one is revoked: a link lives
REFERRALS_LINK_DAYS, a referral may wait longer), with no personal data either."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from maillage.core import grammar
from maillage.core.tasks import send_email
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import Referral


def overdue_referrals(now: datetime.datetime | None = None):
    """Referrals waiting for the partner's answer for longer than the delay, not reminded within it."""
    now = now or timezone.now()
    days = settings.REFERRALS_REMINDER_DAYS
    today = timezone.localdate(now)
    return Referral.objects.filter(
        status__in=[ReferralStatus.SENT, ReferralStatus.RECEIVED],
        sent_at__lt=now - datetime.timedelta(days=days),
        to_organisation__is_active=True,
    ).filter(Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - datetime.timedelta(days=days)))


@task()
def send_overdue_reminders() -> int:
    """E-mail each partner organisation the number of referrals waiting for its answer, and mark them
    reminded today. Returns the number of referrals reminded."""
    from maillage.referrals import links
    from maillage.referrals.services import inbox_recipients

    today = timezone.localdate()
    with transaction.atomic():
        referrals = list(
            overdue_referrals()
            .select_for_update(of=("self",))
            .select_related("to_organisation", "to_service", "from_organisation")
        )
        by_partner: dict = {}
        for referral in referrals:
            by_partner.setdefault(referral.to_organisation, []).append(referral)
        Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(reminded_on=today)
        for organisation, items in by_partner.items():
            to = inbox_recipients(organisation)
            if not to:
                for referral in items:
                    if referral.recipient_email:
                        links.send_link(referral, reminder=True)
                continue
            context = {
                "organisation": organisation,
                "count": grammar.count(len(items), "orientation"),
                "plural": len(items) > 1,
                "days": grammar.count(settings.REFERRALS_REMINDER_DAYS, "jour"),
                "url": settings.MAILLAGE_BASE_URL.rstrip("/") + reverse("referrals:inbox") + "?etat=en-retard",
            }
            send_email.enqueue(
                subject=f"[Maillage] {context['count']} en attente de votre réponse",
                body=render_to_string("referrals/emails/overdue.txt", context),
                to=to,
            )
    return len(referrals)
