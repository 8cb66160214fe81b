"""The dashboard's referrals panel: for those who read the referrals' figures, how many referrals the
organisation sent and received this year, and the way to the figures page (counts only, no name)."""

from django.db.models import Count, Q

from maillage.core import access
from maillage.core.dashboard import register_panel
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.figures import Period
from maillage.referrals.models import Referral


def figures_panel(request):
    user, organisation = request.user, request.organisation
    sent = access.can_view_sent_referral_figures(user, organisation)
    received = access.can_view_received_referral_figures(user, organisation)
    if not (sent or received):
        return None
    start, after = Period.current_year().bounds()
    counts = (
        Referral.objects.filter(Q(from_organisation=organisation) | Q(to_organisation=organisation))
        .exclude(status=ReferralStatus.DRAFT)
        .filter(sent_at__gte=start, sent_at__lt=after)
        .aggregate(
            sent=Count("pk", filter=Q(from_organisation=organisation)),
            received=Count("pk", filter=Q(to_organisation=organisation)),
        )
    )
    return {
        "sent": counts["sent"] if sent else None,
        "received": counts["received"] if received else None,
        "year": start.year,
    }


def register_dashboard_panels() -> None:
    register_panel("referral_figures", "referrals/dashboard/_figures.html", figures_panel, order=45)
