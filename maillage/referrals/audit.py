"""Referral models hold personal data: under audit (who changed which fields, never the values)."""

from maillage.core.audit import register
from maillage.referrals.models import FirstContact, FirstContactEvent, Referral, ReferralEvent

register(Referral, exclude_fields=["updated_at"])
register(ReferralEvent)
register(FirstContact, exclude_fields=["updated_at"])
register(FirstContactEvent)
