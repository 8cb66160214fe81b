"""Reminders of referrals waiting for the partner's answer: one e-mail per partner, no personal data,
again only after the delay."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from maillage.core.enums import Role
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.tasks import send_overdue_reminders
from tests.conftest import run_task_worker
from tests.core.factories import MembershipFactory
from tests.directory.factories import ServiceFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_the_partner_is_reminded_once_of_the_referrals_waiting(settings):
    settings.REFERRALS_REMINDER_DAYS = 5
    service = ServiceFactory()
    partner = MembershipFactory(organisation=service.organisation, role=Role.PARTNER)
    MembershipFactory(organisation=service.organisation, role=Role.VOLUNTEER)
    waiting = [
        ReferralFactory(to_service=service, sent_at=_days_ago(6), person__last_name="Kerbrat"),
        ReferralFactory(to_service=service, status=ReferralStatus.RECEIVED, sent_at=_days_ago(9)),
    ]
    ReferralFactory(to_service=service, sent_at=_days_ago(2))  # not late yet
    ReferralFactory(to_service=service, status=ReferralStatus.ACCEPTED, sent_at=_days_ago(9))  # answered
    assert send_overdue_reminders.call() == 2
    run_task_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [partner.user.email]
    assert (
        "2 orientations adressées" in message.body and "attendent votre réponse depuis plus de 5 jours" in message.body
    )
    assert "KERBRAT" not in message.body.upper() and waiting[0].reason not in message.body
    assert send_overdue_reminders.call() == 0  # not again the same day


def test_a_referral_still_waiting_is_reminded_again_after_the_delay(settings):
    settings.REFERRALS_REMINDER_DAYS = 5
    referral = ReferralFactory(sent_at=_days_ago(20))
    referral.reminded_on = timezone.localdate() - datetime.timedelta(days=5)
    referral.save()
    MembershipFactory(organisation=referral.to_organisation, role=Role.COORDINATOR)
    call_command("referrals_reminders", "--now", stdout=open("/dev/null", "w"))  # noqa: SIM115
    referral.refresh_from_db()
    assert referral.reminded_on == timezone.localdate()


def test_a_partner_without_account_is_reminded_at_its_links_address_with_a_new_link(settings):
    """No inbox to remind: the address the link went to gets, per referral, a new link (the old one no
    longer opens anything), with no personal data; a referral with no address is left alone."""
    from maillage.referrals import links

    settings.REFERRALS_REMINDER_DAYS = 5
    service = ServiceFactory(name="Épicerie solidaire")
    MembershipFactory(organisation=service.organisation, role=Role.VOLUNTEER)  # no inbox role
    referral = ReferralFactory(
        to_service=service, sent_at=_days_ago(7), recipient_email="epicerie@example.org", person__last_name="Kerbrat"
    )
    old, old_token = links.create_link(referral)
    ReferralFactory(to_service=service, sent_at=_days_ago(7))  # no address: nobody to remind
    assert send_overdue_reminders.call() == 2
    run_task_worker()
    (message,) = mail.outbox
    assert message.to == ["epicerie@example.org"]
    assert f"Rappel : une orientation attend votre réponse (n° {referral.pk})" in message.subject
    assert "attend votre réponse depuis 7 jours" in message.body and "Épicerie solidaire" in message.body
    assert "KERBRAT" not in message.body.upper() and referral.reason not in message.body
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert links.refusal(old) == links.ENDED and links.find(old_token) == old
    new = referral.links.get(revoked_at__isnull=True)
    assert new.email == "epicerie@example.org"
    token = message.body.split("/orientations/lien/")[1].split("/")[0]
    assert links.find(token) == new
