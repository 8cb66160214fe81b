"""The referrals' figures for the observatory (issue 14, point 6): for one organisation and a period,
the referrals it sent (by partner, service, need, urgency and outcome, and the partners' delays) and
those addressed to it (by sending organisation, service, outcome, and its own delays).

Counts only: no person, no reason, no note. A referral counts in the period when it was *sent* in it
(a draft never sent is not counted), with its state today. Counts are grouped in the database
(`Count(filter=…)`, the same SQL on SQLite and PostgreSQL); the needs (a JSON list) and the delays
(medians and 90th percentiles, which SQLite cannot compute) are read as narrow rows of the
organisation's referrals of the period and computed here.
"""

import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import formats, timezone

from maillage.core import grammar
from maillage.core.models import Organisation
from maillage.directory.models import Service
from maillage.directory.taxonomies import ESSENTIAL_NEEDS
from maillage.referrals.enums import ReferralOutcome, ReferralStatus, ReferralUrgency
from maillage.referrals.models import Referral

S = ReferralStatus

#: Longest period asked at once (the page, the CSV): five calendar years.
MAX_PERIOD_DAYS = 5 * 366

# --- The period ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included, in the deployment's time zone."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def current_year(cls) -> "Period":
        return cls.year(timezone.localdate().year)

    @property
    def is_calendar_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        )

    @property
    def label(self) -> str:
        """« année 2026 », « du 1er mars 2026 au 31 mai 2026 »."""
        if self.is_calendar_year:
            return f"année {self.start.year}"
        return f"du {grammar.long_date(self.start)} au {grammar.long_date(self.end)}"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The first moment of the period and the first moment after it (aware datetimes)."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return start, after


# --- What is counted -----------------------------------------------------------------------------------

WAITING = (S.SENT, S.RECEIVED)
ONGOING = (S.ACCEPTED, S.IN_PROGRESS)
NEED_MET_OUTCOMES = (ReferralOutcome.NEED_MET, ReferralOutcome.PARTLY_MET)

#: Where a referral stands today: one row each, every referral in exactly one (the « par issue » table).
OUTCOME_ROWS: list[tuple[str, str, Q]] = [
    ("waiting", "En attente de réponse", Q(status__in=WAITING)),
    ("ongoing", "Acceptée, accompagnement en cours", Q(status__in=ONGOING)),
    ("need_met", "Clôturée : besoin satisfait", Q(status=S.CLOSED, outcome=ReferralOutcome.NEED_MET)),
    ("partly_met", "Clôturée : besoin satisfait en partie", Q(status=S.CLOSED, outcome=ReferralOutcome.PARTLY_MET)),
    ("not_met", "Clôturée : besoin non satisfait", Q(status=S.CLOSED, outcome=ReferralOutcome.NOT_MET)),
    (
        "person_declined",
        "Clôturée : la personne a renoncé",
        Q(status=S.CLOSED, outcome=ReferralOutcome.PERSON_DECLINED),
    ),
    (
        "closed_other",
        "Clôturée sans issue renseignée",
        Q(status=S.CLOSED) & ~Q(outcome__in=[o.value for o in ReferralOutcome]),
    ),
    ("declined", "Refusée", Q(status=S.DECLINED)),
    ("redirected", "Réorientée vers un autre service", Q(status=S.REDIRECTED)),
    ("cancelled", "Annulée par la structure qui oriente", Q(status=S.CANCELLED)),
]

#: The columns of the tables by partner, service, need and urgency.
COLUMNS: list[tuple[str, str, Q]] = [
    ("total", "Envoyées", Q()),
    ("waiting", "En attente de réponse", Q(status__in=WAITING)),
    ("accepted", "Acceptées", Q(status__in=(*ONGOING, S.CLOSED))),
    ("declined", "Refusées", Q(status=S.DECLINED)),
    ("redirected", "Réorientées", Q(status=S.REDIRECTED)),
    ("cancelled", "Annulées", Q(status=S.CANCELLED)),
    ("met", "Besoin satisfait (en tout ou partie)", Q(status=S.CLOSED, outcome__in=NEED_MET_OUTCOMES)),
]
COLUMN_KEYS = [key for key, _, _ in COLUMNS]


def columns_of(status: str, outcome: str) -> list[str]:
    """The columns a referral counts in: the same rule as COLUMNS' filters, for rows read in Python."""
    keys = ["total"]
    if status in WAITING:
        keys.append("waiting")
    if status in (*ONGOING, S.CLOSED):
        keys.append("accepted")
    if status == S.DECLINED:
        keys.append("declined")
    if status == S.REDIRECTED:
        keys.append("redirected")
    if status == S.CANCELLED:
        keys.append("cancelled")
    if status == S.CLOSED and outcome in NEED_MET_OUTCOMES:
        keys.append("met")
    return keys


def _conditional_counts(specs) -> dict:
    return {key: Count("pk", filter=q) if q else Count("pk") for key, _, q in specs}


# --- The delays ----------------------------------------------------------------------------------------


def median(values: list[datetime.timedelta]) -> datetime.timedelta | None:
    """The middle value (the mean of the two middle ones for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile_90(values: list[datetime.timedelta]) -> datetime.timedelta | None:
    """The 90th percentile by nearest rank: the shortest delay within which 90 % of the referrals
    were answered (« 90 % en 6 jours ou moins ») — always a delay that happened, never interpolated."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass(frozen=True)
class Delay:
    label: str
    count: int
    median: datetime.timedelta | None
    p90: datetime.timedelta | None

    @classmethod
    def of(cls, label: str, values: list[datetime.timedelta]) -> "Delay":
        return cls(label=label, count=len(values), median=median(values), p90=percentile_90(values))


DELAY_KINDS = [
    ("read", "Envoi → lecture"),
    ("answer", "Envoi → réponse (acceptée, refusée ou réorientée)"),
    ("close", "Envoi → clôture"),
]


def spoken_duration(delay: datetime.timedelta | None) -> str:
    """A delay as one says it: « moins d'une heure », « 5 heures », « 1 jour et 6 heures », « 12 jours »."""
    if delay is None:
        return "—"
    hours = int(delay.total_seconds() // 3600)
    if hours < 1:
        return "moins d'une heure"
    if hours < 24:
        return grammar.count(hours, "heure")
    days, rest = divmod(hours, 24)
    if days < 3:
        text = grammar.count(days, "jour")
        return f"{text} et {grammar.count(rest, 'heure')}" if rest else text
    return grammar.count(round(hours / 24), "jour")


def days_number(delay: datetime.timedelta | None) -> str:
    """The delay in days with two decimals and a comma, for a spreadsheet (« 2,50 »; two hours are
    « 0,08 »); empty when none."""
    if delay is None:
        return ""
    return formats.number_format(delay.total_seconds() / 86400, decimal_pos=2, use_l10n=True)


def french_number(value: int) -> str:
    """« 1 234 »: the thousands separated as French writes them."""
    return formats.number_format(value, force_grouping=True, use_l10n=True)


def share(part: int, whole: int) -> str:
    """« 12 % » (rounded), « — » for an empty whole."""
    if not whole:
        return "—"
    return f"{round(100 * part / whole)}\N{NO-BREAK SPACE}%"


# --- The figures ---------------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    counts: dict[str, int]
    key: object = None  # the organisation's or service's number, never shown


@dataclass
class OrganisationDelays:
    label: str
    read: Delay
    answer: Delay
    overdue: int


@dataclass
class SideFigures:
    """One side of the organisation's referrals in the period: `sent` or `received`."""

    side: str
    total: int = 0
    overdue_now: int = 0
    answered_late: int = 0
    from_redirection: int = 0
    by_outcome: list[tuple[str, int]] = field(default_factory=list)
    by_organisation: list[Row] = field(default_factory=list)
    by_service: list[Row] = field(default_factory=list)
    by_need: list[Row] = field(default_factory=list)
    by_urgency: list[Row] = field(default_factory=list)
    delays: list[Delay] = field(default_factory=list)
    delays_by_organisation: list[OrganisationDelays] = field(default_factory=list)
    delays_by_key: dict = field(default_factory=dict)  # the other organisation's number → its delays


def overdue_before(now=None) -> datetime.datetime:
    """A referral sent before this moment and still unanswered is « en retard » (as in the inbox)."""
    return (now or timezone.now()) - datetime.timedelta(days=settings.REFERRALS_REMINDER_DAYS)


def sent_figures(organisation: Organisation, period: Period, *, now=None) -> SideFigures:
    """The referrals `organisation` sent in the period (as the sender): by partner organisation."""
    referrals = Referral.objects.filter(from_organisation=organisation)
    return _figures("sent", referrals, period, other="to_organisation", now=now)


def received_figures(organisation: Organisation, period: Period, *, now=None) -> SideFigures:
    """The referrals addressed to `organisation` in the period (as the partner): by sending organisation."""
    referrals = Referral.objects.filter(to_organisation=organisation)
    return _figures("received", referrals, period, other="from_organisation", now=now)


def _figures(side: str, referrals, period: Period, *, other: str, now=None) -> SideFigures:
    start, after = period.bounds()
    scoped = referrals.exclude(status=S.DRAFT).filter(sent_at__gte=start, sent_at__lt=after)
    late = overdue_before(now)
    summary = scoped.aggregate(
        total=Count("pk"),
        overdue_now=Count("pk", filter=Q(status__in=WAITING, sent_at__lt=late)),
        from_redirection=Count("pk", filter=Q(redirected_from__isnull=False)),
        **{f"outcome_{key}": Count("pk", filter=q) for key, _, q in OUTCOME_ROWS},
    )
    figures = SideFigures(
        side=side,
        total=summary["total"],
        overdue_now=summary["overdue_now"],
        from_redirection=summary["from_redirection"],
    )
    if not figures.total:
        return figures
    figures.by_outcome = [
        (label, summary[f"outcome_{key}"])
        for key, label, _ in OUTCOME_ROWS
        if key != "closed_other" or summary[f"outcome_{key}"]
    ]
    overdue_by_other: dict = {}
    by_other = _grouped(scoped, f"{other}_id", overdue=(late, overdue_by_other))
    names = dict(Organisation.objects.filter(pk__in=by_other).values_list("pk", "name"))
    figures.by_organisation = _rows(by_other, lambda pk: names.get(pk, ""))
    by_service = _grouped(scoped, "to_service_id")
    services = {
        s.pk: s
        for s in Service.objects.filter(pk__in=by_service)
        .select_related("organisation")
        .only("name", "organisation__name")
    }

    def service_label(pk):
        service = services.get(pk)
        if service is None:
            return ""
        return service.name if side == "received" else f"{service.name} ({service.organisation.name})"

    figures.by_service = _rows(by_service, service_label)
    by_urgency = _grouped(scoped, "urgency")
    figures.by_urgency = [
        Row(label, by_urgency.get(value, dict.fromkeys(COLUMN_KEYS, 0))) for value, label in ReferralUrgency.choices
    ]
    _needs_and_delays(figures, scoped, other)
    figures.delays_by_organisation = [
        OrganisationDelays(
            label=row.label,
            read=figures.delays_by_key.get(row.key, {}).get("read") or Delay.of("", []),
            answer=figures.delays_by_key.get(row.key, {}).get("answer") or Delay.of("", []),
            overdue=overdue_by_other.get(row.key, 0),
        )
        for row in figures.by_organisation
    ]
    return figures


def _grouped(scoped, field_name: str, overdue=None) -> dict:
    """Counts of COLUMNS by `field_name`; with `overdue` = (moment, dict), also the referrals still
    unanswered since before that moment, into the dict."""
    extra = {}
    if overdue is not None:
        extra["overdue"] = Count("pk", filter=Q(status__in=WAITING, sent_at__lt=overdue[0]))
    rows = scoped.values(field_name).annotate(**_conditional_counts(COLUMNS), **extra).order_by()
    result = {}
    for row in rows:
        result[row[field_name]] = {key: row[key] for key in COLUMN_KEYS}
        if overdue is not None:
            overdue[1][row[field_name]] = row["overdue"]
    return result


def _rows(grouped: dict, label_of) -> list[Row]:
    """Rows by count (most first), then by name: the organisation's main partners at the top."""
    rows = [Row(label_of(key), counts, key) for key, counts in grouped.items()]
    return sorted(rows, key=lambda row: (-row.counts["total"], row.label.lower()))


def _duration(end_field: str):
    return ExpressionWrapper(F(end_field) - F("sent_at"), output_field=DurationField())


def _needs_and_delays(figures: SideFigures, scoped, other: str) -> None:
    """One narrow read of the period's referrals (the other organisation, state, needs and three durations
    computed by the database) for what SQL cannot group on both databases: the ten essential needs (each
    referral counted under each of its needs, then those with none) and the delays' medians and 90th
    percentiles, overall and by the other organisation."""
    rows = scoped.annotate(
        read=_duration("received_at"), answer=_duration("answered_at"), close=_duration("ended_at")
    ).values_list(f"{other}_id", "status", "outcome", "needs", "read", "answer", "close")
    by_need: dict[str, Counter] = defaultdict(Counter)
    overall: dict[str, list] = {kind: [] for kind, _ in DELAY_KINDS}
    per_other: dict[int, dict[str, list]] = defaultdict(lambda: {kind: [] for kind, _ in DELAY_KINDS})
    limit = datetime.timedelta(days=settings.REFERRALS_REMINDER_DAYS)
    for other_id, status, outcome, needs, read, answer, close in rows.iterator(chunk_size=5000):
        keys = columns_of(status, outcome)
        for code in set(needs or []) or {""}:
            by_need[code].update(keys)
        values = {"read": read, "answer": answer, "close": close if status == S.CLOSED else None}
        for kind, value in values.items():
            if value is not None:
                overall[kind].append(value)
                per_other[other_id][kind].append(value)
        if answer is not None and answer > limit:
            figures.answered_late += 1
    figures.by_need = [Row(label, {key: by_need[code][key] for key in COLUMN_KEYS}) for code, label in ESSENTIAL_NEEDS]
    if by_need.get(""):
        figures.by_need.append(Row("Aucun besoin précisé", {key: by_need[""][key] for key in COLUMN_KEYS}))
    figures.delays = [Delay.of(label, overall[kind]) for kind, label in DELAY_KINDS]
    figures.delays_by_key = {
        pk: {kind: Delay.of("", values) for kind, values in lists.items()} for pk, lists in per_other.items()
    }
