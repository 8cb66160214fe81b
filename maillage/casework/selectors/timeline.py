"""The person's timeline (« chronologie »): everything that happened around a person, newest first.

Each kind of event comes from a *source*: a function that reads one table, in one query, at most
`limit + 1` rows older than a cursor, and turns them into `TimelineEvent`s. The sources of the
casework and people modules are registered by `register_timeline_sources` below; other modules
(assessments, plans, referrals, register, documents) append theirs with `register_source`, from a
function their app's `AppConfig.ready()` calls — never as a side effect of importing a module (the
timeline must not depend on which views or URLs happened to be imported first):

    from maillage.casework.selectors.timeline import TimelineEvent, register_source

    def _referrals(*, grant, before, limit):
        qs = grant.referrals().select_related("sent_by")  # a queryset the grant scopes
        if before is not None:
            qs = qs.filter(sent_at__lt=before)
        return [TimelineEvent(kind="referral", date=r.sent_at, title=…, summary=…, author=…, url=…)
                for r in qs.order_by("-sent_at")[:limit]]

    def register_timeline_sources():  # called by the app's AppConfig.ready()
        register_source("referral", "Orientations", _referrals)

`timeline_for` merges the sources, cuts at `limit` events and keeps every event sharing the last
event's date on the same page, so that the next page (`before=` that date) misses nothing (unless
one source holds more than `limit` events at the very same instant).
"""

import dataclasses
import datetime
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import Truncator

from maillage.core.access.grants import Part, PersonGrant

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
SUMMARY_WORDS = 40


@dataclass(frozen=True)
class TimelineEvent:
    kind: str  # the source's kind: "request", "contact", "care_team", "consent", …
    date: datetime.datetime  # aware
    title: str
    summary: str = ""
    author: str = ""
    url: str = ""
    key: str = ""  # unique inside the kind (for the template's ids), e.g. "request-12"
    kind_label: str = ""  # filled from the source's label when left empty


Fetch = Callable[..., Iterable[TimelineEvent]]


@dataclass(frozen=True)
class TimelineSource:
    kind: str
    label: str  # plural, for the filter chips: « Demandes »
    fetch: Fetch


# The badge of one event; a kind not named here shows its source's label.
KIND_SINGULAR = {"request": "Demande", "contact": "Contact", "care_team": "Équipe", "consent": "Consentement"}

# The registry. Several sources may share a kind (additions and removals of the care team).
TIMELINE_SOURCES: list[TimelineSource] = []


def register_source(kind: str, label: str, fetch: Fetch) -> None:
    """Add a source of events to every timeline. `fetch(*, grant, before, limit)` returns at most
    `limit` events of the grant's person older than `before` (all when None), newest first, in one
    query, read through the grant's querysets (core.access.grants): a part the grant does not open
    gives no event."""
    if any(source.fetch is fetch for source in TIMELINE_SOURCES):
        return
    TIMELINE_SOURCES.append(TimelineSource(kind=kind, label=label, fetch=fetch))


def timeline_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered kind, in registration order, once each."""
    seen: dict[str, str] = {}
    for source in TIMELINE_SOURCES:
        seen.setdefault(source.kind, source.label)
    return list(seen.items())


class Timeline(list):
    """The events of one page (a list, newest first), with the cursor of the next page."""

    has_more: bool = False

    @property
    def next_before(self) -> datetime.datetime | None:
        return self[-1].date if self.has_more and self else None


def timeline_for(
    *,
    grant: PersonGrant,
    kinds: Iterable[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    before: datetime.datetime | None = None,
) -> Timeline:
    """The person's events, newest first, older than `before`, of the `kinds` asked (all when
    None), at most `limit` (plus those sharing the last one's date). Read through the grant, which
    must open the timeline; one query per source."""
    grant.require(Part.TIMELINE)
    limit = max(1, min(int(limit), MAX_LIMIT))
    wanted = set(kinds) if kinds else None
    streams = []
    truncated = False  # a source had more events than asked: there is an older page
    for source in TIMELINE_SOURCES:
        if wanted is not None and source.kind not in wanted:
            continue
        events = source.fetch(grant=grant, before=before, limit=limit + 1)
        events = [e if e.kind_label else dataclasses.replace(e, kind_label=_singular(source)) for e in events]
        truncated = truncated or len(events) > limit
        streams.append(sorted(events, key=lambda e: e.date, reverse=True))
    merged = list(heapq.merge(*streams, key=lambda e: e.date, reverse=True))
    page = Timeline(merged[:limit])
    rest = merged[limit:]
    while rest and page and rest[0].date == page[-1].date:
        page.append(rest.pop(0))
    page.has_more = bool(rest) or truncated
    return page


def _singular(source: TimelineSource) -> str:
    return KIND_SINGULAR.get(source.kind, source.label)


# --- Helpers for sources ---------------------------------------------------------------------------


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def _author(user, organisation_obj, viewer_organisation) -> str:
    """The author's name, with their organisation when it is not the reader's."""
    name = _name(user)
    if organisation_obj is not None and getattr(viewer_organisation, "pk", None) != organisation_obj.pk:
        return f"{name} ({organisation_obj.name})" if name else organisation_obj.name
    return name


def _short(text: str) -> str:
    return Truncator(text or "").words(SUMMARY_WORDS)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Requests and contacts (casework) --------------------------------------------------------------


def _requests(*, grant, before, limit):
    # An organisation's requests are its own activity: the grant gives those of the reader's
    # organisation only (the request page refuses the others).
    organisation = grant.organisation
    qs = grant.requests().select_related("handled_by", "organisation")
    if before is not None:
        qs = qs.filter(received_at__lt=before)
    events = []
    for request_obj in qs.order_by("-received_at", "-pk")[:limit]:
        summary = request_obj.get_outcome_display()
        if request_obj.notes:
            summary += f" — {_short(request_obj.notes)}"
        events.append(
            TimelineEvent(
                kind="request",
                date=request_obj.received_at,
                title=f"Demande ({request_obj.get_channel_display().lower()}), niveau {request_obj.level}",
                summary=summary,
                author=_author(request_obj.handled_by, request_obj.organisation, organisation),
                url=_url("casework:request_detail", request_obj.pk),
                key=f"request-{request_obj.pk}",
            )
        )
    return events


def _contacts(*, grant, before, limit):
    organisation = grant.organisation
    qs = grant.contacts().select_related("author", "organisation")
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    events = []
    for contact in qs.order_by("-occurred_at", "-pk")[:limit]:
        title = contact.get_kind_display()
        if contact.duration_minutes:
            title += f" ({contact.duration_minutes} min)"
        events.append(
            TimelineEvent(
                kind="contact",
                date=contact.occurred_at,
                title=title,
                summary=_short(contact.summary),
                author=_author(contact.author, contact.organisation, organisation),
                key=f"contact-{contact.pk}",
            )
        )
    return events


# --- Care team -------------------------------------------------------------------------------------


def _member_label(member) -> str:
    who = _name(member.user) if member.user_id else member.name
    where = f", {member.organisation.name}" if member.organisation_id else ""
    return f"{who} — {member.role}{where}"


def _care_team_added(*, grant, before, limit):
    qs = grant.care_team().select_related("user", "organisation", "added_by")
    if before is not None:
        qs = qs.filter(added_at__lt=before)
    return [
        TimelineEvent(
            kind="care_team",
            date=member.added_at,
            title="Arrivée dans l'équipe autour de la personne",
            summary=_member_label(member) + (" (référent·e)" if member.is_referent else ""),
            author=_name(member.added_by),
            key=f"care-team-added-{member.pk}",
        )
        for member in qs.order_by("-added_at", "-pk")[:limit]
    ]


def _care_team_removed(*, grant, before, limit):
    qs = grant.care_team().filter(removed_at__isnull=False).select_related("user", "organisation")
    if before is not None:
        qs = qs.filter(removed_at__lt=before)
    return [
        TimelineEvent(
            kind="care_team",
            date=member.removed_at,
            title="Départ de l'équipe autour de la personne",
            summary=_member_label(member),
            key=f"care-team-removed-{member.pk}",
        )
        for member in qs.order_by("-removed_at", "-pk")[:limit]
    ]


# --- Consents (people) -----------------------------------------------------------------------------


def _consents_given(*, grant, before, limit):
    # A consent is dated by day: it is placed at the start of that day.
    qs = grant.consents().select_related("recorded_by", "partner")
    if before is not None:
        day = timezone.localdate(before)
        qs = qs.filter(given_on__lte=day) if before > _start_of(day) else qs.filter(given_on__lt=day)
    return [
        TimelineEvent(
            kind="consent",
            date=_start_of(consent.given_on),
            title=f"Consentement recueilli : {consent}",
            summary=f"{consent.get_given_by_display()}, {consent.get_channel_display().lower()}"
            + (f" — {consent.note}" if consent.note else ""),
            author=_name(consent.recorded_by),
            key=f"consent-given-{consent.pk}",
        )
        for consent in qs.order_by("-given_on", "-pk")[:limit]
    ]


def _consents_withdrawn(*, grant, before, limit):
    qs = grant.consents().filter(withdrawn_at__isnull=False).select_related("partner")
    if before is not None:
        qs = qs.filter(withdrawn_at__lt=before)
    return [
        TimelineEvent(
            kind="consent",
            date=consent.withdrawn_at,
            title=f"Consentement retiré : {consent}",
            summary=consent.withdrawn_reason,
            key=f"consent-withdrawn-{consent.pk}",
        )
        for consent in qs.order_by("-withdrawn_at", "-pk")[:limit]
    ]


def register_timeline_sources() -> None:
    """Register this module's sources; CaseworkConfig.ready() calls it at start-up (idempotent)."""
    register_source("request", "Demandes", _requests)
    register_source("contact", "Contacts", _contacts)
    register_source("care_team", "Équipe", _care_team_added)
    register_source("care_team", "Équipe", _care_team_removed)
    register_source("consent", "Consentements", _consents_given)
    register_source("consent", "Consentements", _consents_withdrawn)
