"""The referrals' events on the person's timeline (casework.selectors.timeline): each change of state
of a referral the reader's organisation sent — sent, received, accepted, declined with its reason,
redirected, closed with its outcome — read through the grant (`PersonGrant.referrals`)."""

from maillage.casework.selectors.timeline import TimelineEvent, _short, _url, register_source
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from maillage.referrals.models import FirstContactEvent, ReferralEvent

TITLES = {
    ReferralStatus.SENT: "Orientation envoyée à {service} ({partner})",
    ReferralStatus.RECEIVED: "Orientation reçue par {partner}",
    ReferralStatus.ACCEPTED: "Orientation acceptée par {partner}",
    ReferralStatus.DECLINED: "Orientation refusée par {partner}",
    ReferralStatus.REDIRECTED: "Orientation réorientée par {partner}",
    ReferralStatus.IN_PROGRESS: "Accompagnement commencé par {partner}",
    ReferralStatus.CLOSED: "Orientation clôturée par {partner}",
    ReferralStatus.CANCELLED: "Orientation vers {service} annulée",
}

# What an event shows (its title, author and link), read as plain values: not the rest of the referral
# nor the service's texts, and no model built per row (a much-oriented person has hundreds of steps).
EVENT_VALUES = (
    "pk",
    "at",
    "referral_id",
    "referral__to_service__name",
    "actor__first_name",
    "actor__last_name",
    "actor__email",
    "organisation_id",
    "organisation__name",
)
OUTCOME_LABELS = dict(ReferralOutcome.choices)


def _author(row, grant) -> str:
    """The colleague's name for the reader's own organisation's steps, the partner's name for its own."""
    if row["organisation_id"] != grant.organisation.pk:
        return row["organisation__name"]
    name = f"{row['actor__first_name'] or ''} {row['actor__last_name'] or ''}".strip()
    return name or row["actor__email"] or ""


def _detail_urls():
    """The sent referral's page address, for any number (one reverse, not one per event)."""
    marker = 999999999
    pattern = _url("referrals:sent_detail", marker)
    return lambda pk: pattern.replace(str(marker), str(pk)) if pattern else ""


def _referral_events(*, grant, before, limit):
    qs = ReferralEvent.objects.filter(referral__in=grant.referrals()).exclude(to_status=ReferralStatus.DRAFT)
    if before is not None:
        qs = qs.filter(at__lt=before)
    rows = qs.order_by("-at", "-pk").values(
        *EVENT_VALUES, "to_status", "note", "referral__outcome", "referral__to_organisation__name"
    )[:limit]
    detail_url = _detail_urls()
    events = []
    for row in rows:
        title = TITLES[ReferralStatus(row["to_status"])].format(
            service=row["referral__to_service__name"], partner=row["referral__to_organisation__name"]
        )
        summary = ""
        if row["to_status"] == ReferralStatus.CLOSED and row["referral__outcome"]:
            summary = f"Issue : {OUTCOME_LABELS[row['referral__outcome']].lower()}."
        if row["note"]:
            summary = f"{summary} {_short(row['note'])}".strip()
        events.append(
            TimelineEvent(
                kind="referral",
                date=row["at"],
                title=title,
                summary=summary,
                author=_author(row, grant),
                url=detail_url(row["referral_id"]),
                key=f"referral-event-{row['pk']}",
                kind_label="Orientation",
            )
        )
    return events


def _first_contact_events(*, grant, before, limit):
    """The first contact's changes (issue 14, point 4) of the referrals the grant reads."""
    qs = FirstContactEvent.objects.filter(referral__in=grant.referrals())
    if before is not None:
        qs = qs.filter(at__lt=before)
    detail_url = _detail_urls()
    return [
        TimelineEvent(
            kind="referral",
            date=row["at"],
            title=f"Premier contact avec {row['referral__to_service__name']}",
            summary=_short(row["summary"]),
            author=_author(row, grant),
            url=detail_url(row["referral_id"]),
            key=f"referral-first-contact-{row['pk']}",
            kind_label="Orientation",
        )
        for row in qs.order_by("-at", "-pk").values(*EVENT_VALUES, "summary")[:limit]
    ]


def register_timeline_sources():
    register_source("referral", "Orientations", _referral_events)
    register_source("referral", "Orientations", _first_contact_events)
