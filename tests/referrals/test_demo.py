"""The demo shows referrals (issue 14): seed_demo sends, from the demo CCAS, referrals to the
partners with accounts in various states — one overdue, one « à confirmer », one closed « besoin
satisfait » — deterministic and safe twice."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from maillage.core.demo import DEMO_EMAIL_DOMAIN
from maillage.core.middleware import SESSION_ORGANISATION_KEY
from maillage.core.models import User
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from maillage.referrals.models import FirstContact, Referral
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(
        Referral.objects.order_by("to_service__name", "status").values_list(
            "person__last_name", "to_service__name", "status", "outcome"
        )
    )


def test_the_demo_referrals_inbox_and_timeline(client, capsys):
    call_command("seed_demo")
    capsys.readouterr()
    referrals = Referral.objects.filter(from_organisation__name="CCAS de Rennes")
    assert referrals.count() == 6
    statuses = set(referrals.values_list("status", flat=True))
    assert statuses == {
        ReferralStatus.SENT,
        ReferralStatus.RECEIVED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.DECLINED,
        ReferralStatus.CLOSED,
    }
    assert referrals.get(status=ReferralStatus.CLOSED).outcome == ReferralOutcome.NEED_MET
    to_confirm = [c for c in FirstContact.objects.filter(referral__in=referrals) if c.to_confirm()]
    assert len(to_confirm) == 1
    for referral in referrals:
        referral.full_clean()

    # The CLIC's inbox shows the overdue one; the sender's page the « à confirmer ».
    clic = User.objects.get(email=f"clic@{DEMO_EMAIL_DOMAIN}")
    login_verified(client, clic)
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert "En retard" in inbox
    client.logout()
    coordination = User.objects.get(email=f"coordination@{DEMO_EMAIL_DOMAIN}")
    login_verified(client, coordination)
    session = client.session
    session[SESSION_ORGANISATION_KEY] = referrals.first().from_organisation_id
    session.save()
    page = client.get(reverse("referrals:sent_detail", args=[to_confirm[0].referral_id]))
    assert page.status_code == 200
    assert "À confirmer" in page.content.decode()

    # Safe twice: nothing added.
    before = _snapshot()
    call_command("seed_demo")
    capsys.readouterr()
    assert _snapshot() == before
