"""Retention of ended referrals (two years after their end), through the daily task
(core.retention.apply_retention): the boundary day either side, open referrals never touched, the
consent kept as proof, the history deleted with the referral."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from maillage.core.models import RetentionRun
from maillage.core.retention import apply_retention
from maillage.people.models import Consent, Person
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from maillage.referrals.models import Referral, ReferralEvent
from maillage.referrals.retention import ENDED_REFERRAL_RULE
from tests.referrals.factories import ReferralFactory

NOW = datetime.datetime(2029, 3, 10, 10, 0, tzinfo=timezone.get_default_timezone())
LIMIT = NOW - relativedelta(years=2)
DAY = datetime.timedelta(days=1)

CASES = [
    pytest.param(ReferralStatus.CLOSED, "ended_at", LIMIT + DAY, False, id="cloturee-2-ans-moins-1-jour"),
    pytest.param(ReferralStatus.CLOSED, "ended_at", LIMIT, True, id="cloturee-2-ans-jour-pour-jour"),
    pytest.param(ReferralStatus.CLOSED, "ended_at", LIMIT - DAY, True, id="cloturee-2-ans-plus-1-jour"),
    pytest.param(ReferralStatus.CANCELLED, "ended_at", LIMIT - DAY, True, id="annulee"),
    pytest.param(ReferralStatus.CANCELLED, "ended_at", LIMIT + DAY, False, id="annulee-recente"),
    pytest.param(ReferralStatus.DECLINED, "answered_at", LIMIT - DAY, True, id="refusee"),
    pytest.param(ReferralStatus.DECLINED, "answered_at", LIMIT + DAY, False, id="refusee-recente"),
    pytest.param(ReferralStatus.REDIRECTED, "answered_at", LIMIT - DAY, True, id="reorientee"),
    pytest.param(
        ReferralStatus.ACCEPTED, "answered_at", LIMIT - relativedelta(years=3), False, id="acceptee-ancienne"
    ),
    pytest.param(ReferralStatus.IN_PROGRESS, "started_at", LIMIT - relativedelta(years=3), False, id="en-cours"),
]


@pytest.mark.parametrize(("status", "field", "at", "deleted"), CASES)
def test_an_ended_referral_goes_two_years_after_its_end(db, status, field, at, deleted):
    referral = ReferralFactory(
        status=status,
        sent_at=at - relativedelta(months=1),
        outcome=ReferralOutcome.NEED_MET if status == ReferralStatus.CLOSED else "",
        **{field: at},
    )
    ReferralEvent.objects.create(
        referral=referral, organisation=referral.to_organisation, at=at, from_status="received", to_status=status
    )
    consent_pk, person_pk = referral.consent_id, referral.person_id
    Person.objects.filter(pk=person_pk).update(last_activity_at=NOW)  # the file itself is still in use
    apply_retention(now=NOW)
    assert Referral.objects.filter(pk=referral.pk).exists() is not deleted
    assert ReferralEvent.objects.filter(referral_id=referral.pk).exists() is not deleted
    assert RetentionRun.objects.get(rule=ENDED_REFERRAL_RULE).count == (1 if deleted else 0)
    # The consent (proof of the sharing) and the person's file follow their own rules.
    assert Consent.objects.filter(pk=consent_pk).exists()
    assert Person.objects.filter(pk=person_pk).exists()


def test_the_delay_is_a_setting(db, settings):
    settings.MAILLAGE_RETENTION_REFERRAL_YEARS = 5
    referral = ReferralFactory(status=ReferralStatus.CANCELLED, ended_at=NOW - relativedelta(years=3))
    Person.objects.filter(pk=referral.person_id).update(last_activity_at=NOW)
    apply_retention(now=NOW)
    assert Referral.objects.filter(pk=referral.pk).exists()
