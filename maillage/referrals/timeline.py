"""The referrals' events on the person's timeline (casework.selectors.timeline): each change of state
of a referral the reader's organisation sent — sent, received, accepted, declined with its reason,
redirected, closed with its outcome — read through the grant (`PersonGrant.referrals`)."""

from maillage.casework.selectors.timeline import TimelineEvent, _name, _short, _url, register_source
from maillage.referrals.enums import ReferralStatus
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

# What an event shows (its title, author and link), not the rest of the referral nor the service's texts.
EVENT_COLUMNS = (
    "at",
    "referral",
    "referral__to_service",
    "referral__to_service__name",
    "actor",
    "actor__first_name",
    "actor__last_name",
    "actor__email",
    "organisation",
    "organisation__name",
)


def _referral_events(*, grant, before, limit):
    qs = (
        ReferralEvent.objects.filter(referral__in=grant.referrals())
        .exclude(to_status=ReferralStatus.DRAFT)
        .select_related("referral__to_service", "referral__to_organisation", "actor", "organisation")
        .only(
            *EVENT_COLUMNS,
            "to_status",
            "note",
            "referral__outcome",
            "referral__to_organisation",
            "referral__to_organisation__name",
        )
    )
    if before is not None:
        qs = qs.filter(at__lt=before)
    events = []
    for event in qs.order_by("-at", "-pk")[:limit]:
        referral = event.referral
        title = TITLES[ReferralStatus(event.to_status)].format(
            service=referral.to_service.name, partner=referral.to_organisation.name
        )
        summary = ""
        if event.to_status == ReferralStatus.CLOSED:
            summary = f"Issue : {referral.get_outcome_display().lower()}."
        if event.note:
            summary = f"{summary} {_short(event.note)}".strip()
        events.append(
            TimelineEvent(
                kind="referral",
                date=event.at,
                title=title,
                summary=summary,
                author=_name(event.actor)
                if event.organisation_id == grant.organisation.pk
                else event.organisation.name,
                url=_url("referrals:sent_detail", referral.pk),
                key=f"referral-event-{event.pk}",
                kind_label="Orientation",
            )
        )
    return events


def _first_contact_events(*, grant, before, limit):
    """The first contact's changes (issue 14, point 4) of the referrals the grant reads."""
    qs = (
        FirstContactEvent.objects.filter(referral__in=grant.referrals())
        .select_related("referral__to_service", "actor", "organisation")
        .only(*EVENT_COLUMNS, "summary")
    )
    if before is not None:
        qs = qs.filter(at__lt=before)
    return [
        TimelineEvent(
            kind="referral",
            date=event.at,
            title=f"Premier contact avec {event.referral.to_service.name}",
            summary=_short(event.summary),
            author=_name(event.actor) if event.organisation_id == grant.organisation.pk else event.organisation.name,
            url=_url("referrals:sent_detail", event.referral_id),
            key=f"referral-first-contact-{event.pk}",
            kind_label="Orientation",
        )
        for event in qs.order_by("-at", "-pk")[:limit]
    ]


def register_timeline_sources():
    register_source("referral", "Orientations", _referral_events)
    register_source("referral", "Orientations", _first_contact_events)
