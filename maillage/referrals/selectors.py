"""Reads of referrals for other modules (the reception's « orientée vers un partenaire »)."""

from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import Referral


def has_referral_to(*, person, organisation, service) -> bool:
    """The organisation already oriented the person to that service (a referral not cancelled)."""
    return (
        Referral.objects.filter(person=person, from_organisation=organisation, to_service=service)
        .exclude(status=ReferralStatus.CANCELLED)
        .exists()
    )
