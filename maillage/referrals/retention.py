"""Retention rule of referrals (core.retention; architecture.md, rule 4).

**An ended referral: two years after its end.** A referral is part of the person's accompaniment
(référentiel CNIL sur l'accueil et l'accompagnement social et médico-social: the time of the
accompaniment, then deletion). Once it has ended — closed with an outcome, cancelled, declined or
redirected — nothing more happens to it; the daily task deletes it, with its history (events) and its
first contact, two years after its end (`ended_at`, or the partner's answer `answered_at` for a
declined or redirected one). The person's consent to share (scope « orientation ») is not deleted
with it: it follows its own rule (`people.consent.*`) and stays as the proof of the sharing. A
referral still open is never touched, whatever its age; the person's file rule deletes everything
with the file. `MAILLAGE_RETENTION_REFERRAL_YEARS` (2 by default) changes the delay.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q

from maillage.core.retention import RetentionRule, register

ENDED_REFERRAL_RULE = "referrals.referral.ended"


def ended_referrals(now):
    """Referrals in a final state whose end is at least `MAILLAGE_RETENTION_REFERRAL_YEARS` before `now`."""
    from maillage.referrals.enums import ReferralStatus as S
    from maillage.referrals.models import Referral

    limit = now - relativedelta(years=getattr(settings, "MAILLAGE_RETENTION_REFERRAL_YEARS", 2))
    return Referral.objects.filter(
        Q(status__in=[S.CLOSED, S.CANCELLED], ended_at__lte=limit)
        | Q(status__in=[S.DECLINED, S.REDIRECTED], answered_at__lte=limit)
    )


register(
    RetentionRule(
        key=ENDED_REFERRAL_RULE,
        model="referrals.Referral",
        description=(
            "Orientation terminée (clôturée, annulée, refusée ou réorientée) depuis 2 ans : effacée avec son "
            "historique et son premier contact (référentiel CNIL sur l'accueil et l'accompagnement social et "
            "médico-social) ; le consentement au partage suit sa propre règle et reste la preuve du partage ; "
            "durée réglable (MAILLAGE_RETENTION_REFERRAL_YEARS)."
        ),
        expired=ended_referrals,
    )
)
