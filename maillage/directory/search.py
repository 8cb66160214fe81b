"""Search of the directory: one interface, two engines.

`search_services(queryset, filters)` answers the same way on both databases:
- PostgreSQL: full-text search with the `directory_french` configuration (a copy of `french`
  passing words through `unaccent` then the French stemmer), ranked by `ts_rank`;
- SQLite: an FTS5 table `directory_service_fts` kept in sync by triggers (migration 0002).
When a typo leaves the search empty, both replace each word no service holds by its nearest indexed
words (`corrections`) and search again. (PostgreSQL first compared the query with each service's
whole text by trigram word similarity: 2 to 3 seconds at 50,000 services.)

Both index `Service.search_text`, written by `document_text` below: lower case, no accents, no
stop words, plurals folded. Queries go through the same normalisation, then are expanded with the
synonyms of `SYNONYMS`. Ranking: local (commune, then EPCI, then département) > verified > open
now > text relevance > name. « Local » reads the reach table (models.ServiceReach: the communes each
service serves or is delivered in, with their EPCI and département), kept by the services' writes.

The search pages ask one statement (`_run`): the candidates are computed once and give the page of
results, the number of results and every facet count.
"""

import functools
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rapidfuzz import fuzz, process

from maillage.core.models import Commune
from maillage.directory import conf, search_index
from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind, Proximity
from maillage.directory.models import (
    RegularSchedule,
    ScheduleException,
    Service,
    ServiceAccessibility,
    ServiceAtLocation,
    ServiceReach,
    Taxonomy,
    TaxonomyTerm,
)

MAX_QUERY_TOKENS = 12
TS_CONFIG = "directory_french"
FTS_TABLE = "directory_service_fts"
FUZZY_CUTOFF = 0.75

STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "un",
        "une",
        "ou",
        "par",
        "pour",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "y",
    ]
)

# Each group lists expressions that mean the same to a person searching. Keep them in plain French;
# they are normalised like the queries.
SYNONYMS: list[tuple[str, ...]] = [
    ("maison de retraite", "ehpad", "établissement d'hébergement pour personnes âgées dépendantes"),
    ("portage de repas", "livraison de repas", "repas à domicile"),
    ("aide à domicile", "aide ménagère", "auxiliaire de vie"),
    ("téléassistance", "téléalarme"),
    ("transport", "déplacement", "mobilité"),
    ("aidant", "proche aidant", "aide aux aidants"),
    ("ccas", "centre communal d'action sociale"),
    ("clic", "centre local d'information et de coordination"),
    ("mdph", "maison départementale des personnes handicapées"),
    ("médecin", "docteur"),
    ("courses", "commissions"),
    ("isolement", "solitude"),
]


def _strip_accents(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(token: str) -> str:
    """Fold French plurals: « sociaux » → « social », « repas » → « repa », « aidants » → « aidant »."""
    if len(token) > 4 and token.endswith("aux"):
        return token[:-3] + "al"
    if len(token) > 3 and token.endswith(("s", "x")):
        return token[:-1]
    return token


def normalise(text: str) -> list[str]:
    """Words of `text` as the index stores them: lower case, unaccented, no stop words, plurals folded."""
    words = re.findall(r"[a-z0-9]+", _strip_accents(text or "").lower())
    return [stem(w) for w in words if w not in STOPWORDS]


@lru_cache(maxsize=1)
def _synonym_groups() -> list[list[tuple[str, ...]]]:
    return [[tuple(normalise(phrase)) for phrase in group] for group in SYNONYMS]


def _find(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    for i in range(len(tokens) - len(phrase) + 1):
        if tokens[i : i + len(phrase)] == phrase:
            return i
    return -1


def query_alternatives(text: str) -> list[tuple[str, ...]]:
    """The query's words, then each variant where an expression is replaced by a synonym."""
    tokens = tuple(normalise(text[:500])[:MAX_QUERY_TOKENS])
    if not tokens:
        return []
    alternatives = [tokens]
    for group in _synonym_groups():
        for current in list(alternatives):
            for phrase in group:
                at = _find(current, phrase)
                if at < 0:
                    continue
                for other in group:
                    if other != phrase:
                        variant = current[:at] + other + current[at + len(phrase) :]
                        if variant not in alternatives:
                            alternatives.append(variant)
                break
    return alternatives[:20]


def essential(alternatives) -> list[tuple[str, ...]]:
    """The alternatives that are not implied by another one: a variant holding every word of another
    finds nothing more (« aide aidant » beside « aidant »), and only lengthens the query."""
    kept = []
    for alternative in sorted(dict.fromkeys(alternatives), key=len):
        if not any(set(other) <= set(alternative) for other in kept):
            kept.append(alternative)
    return kept


def document_text(service: Service) -> str:
    """What the search engines index for a service: its names, description, organisation, terms
    (needs, domains, publics…) and the communes where it is delivered."""
    parts = [service.name, service.alternate_name, service.description, service.organisation.name]
    parts += [term.name for term in service.terms.all()]
    parts += [sal.location.commune.name for sal in service.service_at_locations.select_related("location__commune")]
    return " ".join(normalise(" ".join(p for p in parts if p)))


# --- Engines -------------------------------------------------------------------------------------


class StoredSearchVector(Func):
    """PostgreSQL only: the column `directory_service.search_vector`, generated by the database from
    `search_text` (migration 0005) and indexed with GIN. Reading it instead of recomputing
    `to_tsvector(search_text)` spares the ranking of every match a parse of its text. Django does not
    know the column (SQLite has none), so it is reached through `search_text`, keeping the table
    alias Django gives it in subqueries."""

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(F("search_text"), output_field=SearchVectorField())

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        assert sql.endswith('"search_text"'), sql
        return sql[: -len('"search_text"')] + '"search_vector"', params


def corrections(tokens, vocabulary: "Vocabulary") -> list[tuple[str, ...]]:
    """For a query that found nothing, the queries it may have meant: each word that no service holds
    replaced by the (at most three) closest words that some do, by edit similarity (rapidfuzz, Indel
    ratio ≥ FUZZY_CUTOFF). Empty when a word has no close word: the search then finds nothing."""
    choices = []
    for token in tokens:
        if token in vocabulary.words:
            choices.append([token])
            continue
        close = process.extract(token, vocabulary.ordered, scorer=fuzz.ratio, limit=3, score_cutoff=FUZZY_CUTOFF * 100)
        if not close:
            return []
        choices.append([word for word, _, _ in close])
    alternatives = [()]
    for options in choices:
        alternatives = [alt + (option,) for alt in alternatives for option in options][:20]
    return alternatives


@dataclass
class Vocabulary:
    """The words the indexed texts hold (Service.search_text)."""

    ordered: list[str]
    words: frozenset[str]

    @classmethod
    def of(cls, words) -> "Vocabulary":
        ordered = sorted(set(words))
        return cls(ordered, frozenset(ordered))


class Engine:
    """What both engines share: the typo fallback (corrections against the indexed words)."""

    def fuzzy(self, qs: QuerySet, tokens, vocabulary: Vocabulary | None = None) -> QuerySet:
        alternatives = corrections(tokens, vocabulary or self.vocabulary())
        if not alternatives:
            return qs.annotate(text_rank=Value(0.0, output_field=FloatField())).none()
        return self.match(qs, alternatives)

    def fuzzy_ids(self, tokens, vocabulary: Vocabulary | None = None) -> tuple[np.ndarray, np.ndarray]:
        alternatives = corrections(tokens, vocabulary or self.vocabulary())
        if not alternatives:
            return np.array([], dtype=np.int64), np.array([], dtype=np.float64)
        return self.match_ids(alternatives)


class PostgresEngine(Engine):
    def match(self, qs: QuerySet, alternatives) -> QuerySet:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        raw = " | ".join("(" + " & ".join(f"{t}:*" for t in alt) + ")" for alt in essential(alternatives))
        query = SearchQuery(raw, search_type="raw", config=TS_CONFIG)
        vector = StoredSearchVector()
        return (
            qs.annotate(search_vector=vector).filter(search_vector=query).annotate(text_rank=SearchRank(vector, query))
        )

    def match_ids(self, alternatives) -> tuple[np.ndarray, np.ndarray]:
        return _id_rank_arrays(self.match(Service.objects.order_by(), alternatives).values_list("pk", "text_rank"))

    def vocabulary(self) -> Vocabulary:
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT unnest(string_to_array(search_text, ' ')) FROM directory_service")
            return Vocabulary.of(row[0] for row in cursor.fetchall() if row[0])


class SqliteEngine(Engine):
    def _fts(self, alternatives) -> str:
        return " OR ".join("(" + " AND ".join(f'"{t}"*' for t in alt) + ")" for alt in essential(alternatives))

    def match(self, qs: QuerySet, alternatives) -> QuerySet:
        # Tokens are [a-z0-9]+ only (normalise), so the FTS5 expression cannot be malformed.
        ids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [self._fts(alternatives)])  # noqa: S608, S611
        return qs.filter(pk__in=ids).annotate(text_rank=Value(0.0, output_field=FloatField()))

    def match_ids(self, alternatives) -> tuple[np.ndarray, np.ndarray]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [self._fts(alternatives)])  # noqa: S608
            ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        return ids, np.zeros(len(ids), dtype=np.float64)

    def vocabulary(self) -> Vocabulary:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {FTS_TABLE}_vocab")  # noqa: S608
            return Vocabulary.of(row[0] for row in cursor.fetchall())


def _id_rank_arrays(queryset: QuerySet) -> tuple[np.ndarray, np.ndarray]:
    """(ids, ranks) of a `values_list("pk", "text_rank")` queryset, read with a bare cursor: a broad
    word matches tens of thousands of services, and building a row per match through the ORM cost
    three times the query itself (bench/directory_search.py)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    return ids, np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))


def engine():
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()


# --- Filters, facets, ranking --------------------------------------------------------------------


@dataclass
class SearchFilters:
    q: str = ""
    need: str = ""
    domain: str = ""
    public: str = ""
    commune: Commune | None = None
    proximity: str = Proximity.DEPARTEMENT
    accessibility: str = ""
    fee: str = ""
    offer_kind: str = ""
    open_now: bool = False
    age: int | None = None

    @classmethod
    def from_form(cls, cleaned: dict) -> "SearchFilters":
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in cleaned.items() if k in known and v not in (None, "")}
        return cls(**values)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]


@dataclass
class SearchResult:
    page: Page
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    fuzzy: bool = False
    alternatives: list = field(default_factory=list)

    def facet_groups(self) -> list[Facet]:
        return [Facet(name, FACET_LABELS[name], values) for name, values in self.facets.items()]


FACET_LABELS = {
    "need": "Besoin essentiel",
    "domain": "Domaine",
    "public": "Public",
    "accessibility": "Accessibilité",
    "fee": "Tarif",
    "offer_kind": "Type d'offre",
    "open_now": "Horaires",
}

TERM_FILTERS = {"need": Taxonomy.NEEDS, "domain": Taxonomy.DOMAINS, "public": Taxonomy.PUBLICS}


# Every condition on related rows is an uncorrelated `pk IN (subquery)`, never a correlated
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


def _annotate(qs: QuerySet, filters: SearchFilters, now: datetime) -> QuerySet:
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
    return qs.annotate(local_tier=Case(*cases, default=Value(widest), output_field=IntegerField())).alias(
        within_reach=ExpressionWrapper(
            functools.reduce(operator.or_, (near for tier, near in tiers if tier <= widest)),
            output_field=BooleanField(),
        ),
    )


def _scope(qs: QuerySet, filters: SearchFilters) -> QuerySet:
    """The filters no facet counts without: distance from the commune, and age."""
    if filters.commune is not None:
        qs = qs.filter(within_reach=True)  # local_tier ≤ the widest tier asked
    if filters.age is not None:
        qs = qs.filter(Q(age_min__isnull=True) | Q(age_min__lte=filters.age))
        qs = qs.filter(Q(age_max__isnull=True) | Q(age_max__gte=filters.age))
    return qs


def _conditions(filters: SearchFilters) -> dict[str, Q]:
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


ORDERING = ("local_tier", "-is_verified", "-is_open", "-text_rank", "name", "pk")


def _select(kind: str, value: str, count: str, tail: str = "", *, source: str = "m", position: str = "NULL") -> str:
    """One branch of the search statement: (kind, value, count, position) rows read from the
    candidates `m`. Every piece is an identifier or a literal of this module; values go as parameters."""
    return f"SELECT '{kind}', {value}, {count}, {position} FROM {source} {tail}"  # noqa: S608


def _page_number(page) -> int:
    """The page `Paginator.get_page` shows when the number asked is within range (1 when it is not a
    number; the last page when it is beyond, known only once the results are counted)."""
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def _run(scoped: QuerySet, conditions: dict[str, Q], *, offset: int, limit: int) -> search_index.Answer:
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
    keys = ["local_tier", "is_verified", "is_open", "text_rank", "name"]
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
        desc = {"is_verified", "is_open", "text_rank"}
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


def _facets(counts: dict[str, dict[str, int]], conditions: dict[str, Q]) -> dict[str, list[FacetValue]]:
    """Counts per filter value, each computed with every other filter applied (so that choosing a
    value in one filter shows how many results each value of that filter would give). A facet whose
    own filter is not set counts over the results themselves."""
    vocabularies = TaxonomyTerm.objects.filter(taxonomy__slug__in=TERM_FILTERS.values()).select_related("taxonomy")
    terms_by_slug: dict[str, list[TaxonomyTerm]] = {slug: [] for slug in TERM_FILTERS.values()}
    for term in vocabularies.order_by("position", "name"):
        terms_by_slug[term.taxonomy.slug].append(term)
    facets: dict[str, list[FacetValue]] = {}
    for name, slug in TERM_FILTERS.items():
        by_term = counts.get(f"term:{name if name in conditions else ''}", {})
        facets[name] = [FacetValue(t.code, t.name, by_term.get(str(t.pk), 0)) for t in terms_by_slug[slug]]
    for name, enum in (("accessibility", AccessibilityFeature), ("fee", FeeKind), ("offer_kind", OfferKind)):
        facets[name] = [FacetValue(v, label, counts.get(name, {}).get(v, 0)) for v, label in enum.choices]
    facets["open_now"] = [FacetValue("1", "Ouvert maintenant", counts.get("open_now", {}).get("1", 0))]
    return {name: facets[name] for name in FACET_LABELS}


def _page_services(rows: list[tuple[int, int]]) -> list[Service]:
    """The services of one page, in ranking order, with the ranking keys the results show."""
    services = Service.objects.filter(pk__in=[pk for pk, _ in rows]).select_related("organisation")
    places = Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location__commune"))
    by_pk = {s.pk: s for s in services.prefetch_related(places, "accessibility")}
    page = []
    for pk, bits in rows:
        if (service := by_pk.get(pk)) is None:  # deleted in between
            continue
        service.local_tier, service.is_verified, service.is_open = bits >> 2, bool(bits & 2), bool(bits & 1)
        page.append(service)
    return page


def search_services(
    queryset: QuerySet,
    filters: SearchFilters,
    *,
    page: int | str | None = 1,
    page_size: int = conf.DEFAULT_PAGE_SIZE,
    now: datetime | None = None,
    with_facets: bool = True,
    scope=None,
) -> SearchResult:
    """Search `queryset` (already scoped by the access policy) with `filters`; one page of results.

    With the facets (the search pages), the page, the count and the facets come from one answer: the
    in-memory index's (search_index) when `scope` (the access.ServiceScope of `queryset`) is given
    and the index is up to date, else one SQL statement (`_run`). Without (API, selection,
    reception), the page is a slice of the ranked queryset."""
    now = now or timezone.now()
    page_size = max(1, min(int(page_size), conf.MAX_PAGE_SIZE))
    index = search_index.usable_index() if with_facets and scope is not None else None
    if index is not None:
        return _search_with_index(index, scope, filters, page=page, page_size=page_size, now=now)
    alternatives = query_alternatives(filters.q)
    fuzzy = False
    if alternatives:
        matched = engine().match(queryset, alternatives)
        if not matched.exists():
            matched = engine().fuzzy(queryset, alternatives[0])
            fuzzy = True
    else:
        matched = queryset.annotate(text_rank=Value(0.0, output_field=FloatField()))
    scoped = _scope(_annotate(matched, filters, now), filters)
    conditions = _conditions(filters)
    results = scoped.filter(*conditions.values()).order_by(*ORDERING)
    results = results.select_related("organisation").prefetch_related(
        "service_at_locations__location__commune", "accessibility"
    )
    paginator = Paginator(results, page_size)
    if not with_facets:
        return SearchResult(page=paginator.get_page(page), fuzzy=fuzzy, alternatives=alternatives)
    number = _page_number(page)
    answer = _run(scoped, conditions, offset=(number - 1) * page_size, limit=page_size)
    paginator.count = answer.counts.get("total", {}).get("", 0)
    result_page = paginator.get_page(page)
    if result_page.number == number:  # else beyond the last page: the last one, from the queryset
        result_page.object_list = _page_services(answer.page)
    return SearchResult(
        page=result_page, facets=_facets(answer.counts, conditions), fuzzy=fuzzy, alternatives=alternatives
    )


def _search_with_index(index, scope, filters: SearchFilters, *, page, page_size: int, now: datetime) -> SearchResult:
    """search_services' answer from the in-memory index: the database is asked for the text matches
    (ids and ranks), the vocabulary filters' terms and the page's services only."""
    alternatives = query_alternatives(filters.q)
    fuzzy, matches = False, None
    if alternatives:
        matches = index.text_matches(("match", *alternatives), lambda: engine().match_ids(alternatives))
        if not index.any_in_scope(scope, matches[0]):
            first = alternatives[0]
            ask = lambda: engine().fuzzy_ids(first, index.vocabulary)  # noqa: E731
            matches, fuzzy = index.text_matches(("fuzzy", first), ask), True
    term_ids = {}
    for name, slug in TERM_FILTERS.items():
        if code := getattr(filters, name):
            term = TaxonomyTerm.objects.filter(taxonomy__slug=slug, code=code)
            term_ids[name] = term.values_list("pk", flat=True).first()

    def ask(number: int) -> search_index.Answer:
        offset = (number - 1) * page_size
        return index.answer(scope, filters, matches, term_ids, now=now, offset=offset, limit=page_size)

    number = _page_number(page)
    answer = ask(number)
    paginator = Paginator(range(answer.counts["total"][""]), page_size)
    result_page = paginator.get_page(page)
    if result_page.number != number:  # beyond the last page: the last one
        answer = ask(result_page.number)
    result_page.object_list = _page_services(answer.page)
    conditions = _conditions(filters)
    return SearchResult(
        page=result_page, facets=_facets(answer.counts, conditions), fuzzy=fuzzy, alternatives=alternatives
    )
