"""The search in SQL: the filters and ranking keys as query expressions, and the one statement
(`run`) that answers a search page: its results, their number and every facet count. The in-memory
index (search.index) answers the same, faster; this is the reference, and the answer while the
index is being built."""

import functools
import operator
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils import timezone

from maillage.directory import conf
from maillage.directory.models import (
    RegularSchedule,
    ScheduleException,
    Service,
    ServiceAccessibility,
    ServiceReach,
)
from maillage.directory.search import index as search_index
from maillage.directory.search.filters import TERM_FILTERS, SearchFilters
from maillage.directory.search.text import TIER_NAME, TIER_NAME_WORD, TIER_TEXT, TextTiers, is_prefix

# `EXISTS (… WHERE service_id = outer.id)`: the database computes each set once per query (PostgreSQL
# as a hashed subplan, SQLite as an ephemeral index) instead of once per candidate service, which is
# what made a département-size search take seconds (bench/directory_search.py).


def _with_term(slug: str, code: str) -> Q:
    ids = Service.terms.through.objects.filter(taxonomyterm__taxonomy__slug=slug, taxonomyterm__code=code)
    return Q(pk__in=ids.values("service_id"))


def _near(**area) -> Q:
    """Services at hand in an area (`commune_id=`, `epci_id=` or `departement_id=`): one index range of
    the reach table (models.ServiceReach), which lists the communes each service serves or is delivered in."""
    return Q(pk__in=ServiceReach.objects.filter(**area).values("service_id"))


def _open_now(now: datetime) -> Q:
    """Open at `now` (local time): within a regular span, unless an exception covers today; an
    exception with its own hours (not closed) replaces the regular ones."""
    local = timezone.localtime(now)
    today, time = local.date(), local.time()
    exceptions = ScheduleException.objects.filter(start_date__lte=today, end_date__gte=today)
    regular = RegularSchedule.objects.filter(weekday=local.weekday(), opens_at__lte=time, closes_at__gt=time)
    special = exceptions.filter(is_closed=False, opens_at__lte=time, closes_at__gt=time)
    return Q(pk__in=special.values("service_id")) | (
        Q(pk__in=regular.values("service_id")) & ~Q(pk__in=exceptions.values("service_id"))
    )


def with_text_tier(qs: QuerySet, tiers: TextTiers | None) -> QuerySet:
    """`text_tier`: how well each match answers the words searched (text.TIER_*), from its names'
    words (`Service.name_text`, padded with spaces so that « begins a word » and « is a word » are
    two LIKEs). The index computes the same on its arrays (SearchIndex.text_tiers)."""
    if tiers is None or not tiers.alternatives:
        tier = 0 if tiers is None else tiers.base + TIER_TEXT
        return qs.annotate(text_tier=Value(tier, output_field=IntegerField()))
    qs = qs.alias(padded_name=Concat(Value(" "), F("name_text"), Value(" "), output_field=TextField()))
    every_word = functools.reduce(
        operator.or_,
        (
            functools.reduce(
                operator.and_, (Q(padded_name__contains=f" {w}" if is_prefix(w) else f" {w} ") for w in alternative)
            )
            for alternative in tiers.alternatives
        ),
    )
    some_word = functools.reduce(operator.or_, (Q(padded_name__contains=f" {w} ") for w in tiers.whole_words))
    return qs.annotate(
        text_tier=Case(
            When(every_word, then=Value(tiers.base + TIER_NAME)),
            When(some_word, then=Value(tiers.base + TIER_NAME_WORD)),
            default=Value(tiers.base + TIER_TEXT),
            output_field=IntegerField(),
        )
    )


def annotate(qs: QuerySet, filters: SearchFilters, now: datetime) -> QuerySet:
    limit = now - timedelta(days=conf.freshness_days())
    qs = qs.annotate(
        is_open=ExpressionWrapper(_open_now(now), output_field=BooleanField()),
        # Never verified counts as not verified (a bare comparison would be NULL, which PostgreSQL
        # sorts first in a descending order and SQLite last).
        is_verified=Case(When(last_verified_at__gte=limit, then=Value(True)), default=Value(False)),
    )
    commune = filters.commune
    if commune is None:
        return qs.annotate(local_tier=Value(0, output_field=IntegerField()))
    # A commune always comes with its proximity filter (_apply_filters: local_tier ≤ the widest tier
    # asked), so the widest tier needs no test of its own in the ranking: it is what remains. This
    # spares computing the largest set (the whole département) a second time.
    widest = search_index.MAX_TIER.get(filters.proximity, 2)
    tiers = [(0, _near(commune_id=commune.pk))]
    if commune.epci_id:
        tiers.append((1, _near(epci_id=commune.epci_id)))
    tiers.append((2, _near(departement_id=commune.departement_id)))
    cases = [When(near, then=Value(tier)) for tier, near in tiers if tier < widest]
    qs = qs.annotate(local_tier=Case(*cases, default=Value(widest), output_field=IntegerField()))
    if widest == search_index.EVERYWHERE_TIER:
        return qs.alias(within_reach=Value(True, output_field=BooleanField()))
    return qs.alias(
        within_reach=ExpressionWrapper(
            functools.reduce(operator.or_, (near for tier, near in tiers if tier <= widest)),
            output_field=BooleanField(),
        ),
    )


def scope_filters(qs: QuerySet, filters: SearchFilters) -> QuerySet:
    """The filters no facet counts without: distance from the commune, and age."""
    if filters.commune is not None:
        qs = qs.filter(within_reach=True)  # local_tier ≤ the widest tier asked
    if filters.age is not None:
        qs = qs.filter(Q(age_min__isnull=True) | Q(age_min__lte=filters.age))
        qs = qs.filter(Q(age_max__isnull=True) | Q(age_max__gte=filters.age))
    return qs


def conditions_of(filters: SearchFilters) -> dict[str, Q]:
    """The condition of each filter that has a facet and is set, by facet name."""
    conditions = {}
    for name, slug in TERM_FILTERS.items():
        if code := getattr(filters, name):
            conditions[name] = _with_term(slug, code)
    if filters.accessibility:
        features = ServiceAccessibility.objects.filter(feature=filters.accessibility)
        conditions["accessibility"] = Q(pk__in=features.values("service_id"))
    if filters.fee:
        conditions["fee"] = Q(fee_kind=filters.fee)
    if filters.offer_kind:
        conditions["offer_kind"] = Q(offer_kind=filters.offer_kind)
    if filters.open_now:
        conditions["open_now"] = Q(is_open=True)
    return conditions


# Relevance (text tier), then nearness (commune, EPCI, département), then freshness (verified within
# conf.freshness_days), then open now, then the name. The API documentation (apis/endpoints.py) and
# the search page say so; tests/directory/test_ranking.py holds the order to it.
ORDERING = ("text_tier", "local_tier", "-is_verified", "-is_open", "name", "pk")


def _select(kind: str, value: str, count: str, tail: str = "", *, source: str = "m", position: str = "NULL") -> str:
    """One branch of the search statement: (kind, value, count, position) rows read from the
    candidates `m`. Every piece is an identifier or a literal of this module; values go as parameters."""
    return f"SELECT '{kind}', {value}, {count}, {position} FROM {source} {tail}"  # noqa: S608


def page_number(page) -> int:
    """The page `Paginator.get_page` shows when the number asked is within range (1 when it is not a
    number; the last page when it is beyond, known only once the results are counted)."""
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def run(scoped: QuerySet, conditions: dict[str, Q], *, offset: int, limit: int) -> search_index.Answer:
    """The search in one statement: the candidates (the services that pass every filter but at most
    one) are computed once, as a materialised CTE carrying their ranking keys and whether each passes
    each filter; from them, the page of results in ranking order, the number of results, and the
    counts of every facet: fees, kinds of offer and « ouvert maintenant » straight from the CTE, the
    terms of the three vocabularies and the accessibility features through their link tables."""
    flags = {name: f"f_{name}" for name in conditions if name != "open_now"}
    candidates = scoped.annotate(
        **{flags[name]: ExpressionWrapper(conditions[name], output_field=BooleanField()) for name in flags}
    )
    if len(conditions) > 1:
        misses = [
            Case(When(c, then=Value(0)), default=Value(1), output_field=IntegerField()) for c in conditions.values()
        ]
        candidates = candidates.alias(misses=functools.reduce(operator.add, misses)).filter(misses__lte=1)
    if candidates.query.is_empty():  # a typo with no close word
        return search_index.Answer({}, [])
    keys = ["text_tier", "local_tier", "is_verified", "is_open", "name"]
    columns = ["fee_kind", "offer_kind", *keys, *flags.values()]
    base_sql, base_params = candidates.order_by().values("pk", *columns).query.sql_with_params()

    q = connection.ops.quote_name
    is_open = f"m.{q('is_open')}"

    def passing(*, but: str = "") -> str:
        """The condition a candidate meets when it passes every filter except `but` ("" when none is set)."""
        return " AND ".join(f"m.{q(flags[name])}" if name in flags else is_open for name in conditions if name != but)

    def counted(*, but: str = "", also: str = "") -> str:
        tests = " AND ".join(t for t in (passing(but=but), also) if t)
        return f"COUNT(*) FILTER (WHERE {tests})" if tests else "COUNT(*)"

    def own(name: str) -> str:  # a facet whose filter is set counts without it
        return name if name in conditions else ""

    def order(t: str) -> str:  # ORDERING, in SQL
        desc = {"is_verified", "is_open"}
        return ", ".join(f"{t}.{q(k)}{' DESC' if k in desc else ''}" for k in keys) + f", {t}.{q('id')}"

    # The page: (id, local_tier * 4 + is_verified * 2 + is_open, rank), read back by _page_services.
    bits = f"p.{q('local_tier')} * 4 + CASE WHEN p.{q('is_verified')} THEN 2 ELSE 0 END"
    bits += f" + CASE WHEN p.{q('is_open')} THEN 1 ELSE 0 END"
    ranked = f"SELECT * FROM m WHERE {passing() or '1 = 1'} ORDER BY {order('m')} LIMIT %s OFFSET %s"  # noqa: S608
    rank = f"ROW_NUMBER() OVER (ORDER BY {order('p')})"
    fee, offer_kind = f"m.{q('fee_kind')}", f"m.{q('offer_kind')}"
    parts: list[tuple[str, list]] = [
        (_select("page", f"CAST(p.{q('id')} AS TEXT)", bits, source=f"({ranked}) p", position=rank), [limit, offset]),
        (_select("total", "''", counted()), []),
        (_select("fee", fee, counted(but=own("fee")), f"GROUP BY {fee}"), []),
        (_select("offer_kind", offer_kind, counted(but=own("offer_kind")), f"GROUP BY {offer_kind}"), []),
        (_select("open_now", "'1'", counted(but=own("open_now"), also=is_open)), []),
    ]
    # Terms and features: the candidates joined to their link rows (hashed), counted per term or feature
    # among those that pass the other filters; terms of other vocabularies are left aside (_facets).
    links, features = q(Service.terms.through._meta.db_table), q(ServiceAccessibility._meta.db_table)
    for name, table, column in [
        *((f"term:{scope}", links, "taxonomyterm_id") for scope in dict.fromkeys(map(own, TERM_FILTERS))),
        ("accessibility", features, "feature"),
    ]:
        but = name.removeprefix("term:") if name.startswith("term:") else own(name)
        tail = f"JOIN {table} x ON x.service_id = m.{q('id')} GROUP BY x.{column}"
        parts.append((_select(name, f"CAST(x.{column} AS TEXT)", counted(but=but), tail), []))

    names = ", ".join(q(name) for name in ["id", *columns])
    sql = f"WITH m ({names}) AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(part for part, _ in parts)
    counts: dict[str, dict[str, int]] = {}
    page: list[tuple[int, int, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*base_params, *(p for _, params in parts for p in params)])
        for kind, value, n, position in cursor.fetchall():
            if kind == "page":
                page.append((position, int(value), n))
            else:
                counts.setdefault(kind, {})[value] = n
    return search_index.Answer(counts, [(pk, n) for _, pk, n in sorted(page)])
