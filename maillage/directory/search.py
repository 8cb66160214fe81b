"""Search of the directory: one interface, two engines.

`search_services(queryset, filters)` answers the same way on both databases:
- PostgreSQL: full-text search with the `directory_french` configuration (a copy of `french`
  passing words through `unaccent` then the French stemmer), and `pg_trgm` word similarity when a
  typo leaves the full-text search empty;
- SQLite: an FTS5 table `directory_service_fts` kept in sync by triggers (migration 0002), and,
  when a typo leaves it empty, each unknown word replaced by its nearest indexed words.

Both index `Service.search_text`, written by `document_text` below: lower case, no accents, no
stop words, plurals folded. Queries go through the same normalisation, then are expanded with the
synonyms of `SYNONYMS`. Ranking: local (commune, then EPCI, then département) > verified > open
now > text relevance > name.
"""

import difflib
import functools
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from maillage.core.models import Commune
from maillage.directory import conf
from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind, Proximity
from maillage.directory.models import (
    RegularSchedule,
    ScheduleException,
    Service,
    ServiceAccessibility,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

MAX_QUERY_TOKENS = 12
TS_CONFIG = "directory_french"
FTS_TABLE = "directory_service_fts"
TRIGRAM_THRESHOLD = 0.5
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


class PostgresEngine:
    def match(self, qs: QuerySet, alternatives) -> QuerySet:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        raw = " | ".join("(" + " & ".join(f"{t}:*" for t in alt) + ")" for alt in alternatives)
        query = SearchQuery(raw, search_type="raw", config=TS_CONFIG)
        vector = StoredSearchVector()
        return (
            qs.annotate(search_vector=vector).filter(search_vector=query).annotate(text_rank=SearchRank(vector, query))
        )

    def fuzzy(self, qs: QuerySet, tokens) -> QuerySet:
        from django.contrib.postgres.search import TrigramWordSimilarity

        similarity = TrigramWordSimilarity(" ".join(tokens), "search_text")
        return qs.annotate(text_rank=similarity).filter(text_rank__gte=TRIGRAM_THRESHOLD)


class SqliteEngine:
    def _fts(self, alternatives) -> str:
        return " OR ".join("(" + " AND ".join(f'"{t}"*' for t in alt) + ")" for alt in alternatives)

    def match(self, qs: QuerySet, alternatives) -> QuerySet:
        # Tokens are [a-z0-9]+ only (normalise), so the FTS5 expression cannot be malformed.
        ids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [self._fts(alternatives)])  # noqa: S608, S611
        return qs.filter(pk__in=ids).annotate(text_rank=Value(0.0, output_field=FloatField()))

    def fuzzy(self, qs: QuerySet, tokens) -> QuerySet:
        vocabulary = self._vocabulary()
        choices = []
        for token in tokens:
            if token in vocabulary:
                choices.append([token])
                continue
            close = difflib.get_close_matches(token, vocabulary, n=3, cutoff=FUZZY_CUTOFF)
            if not close:
                return qs.annotate(text_rank=Value(0.0, output_field=FloatField())).none()
            choices.append(close)
        alternatives = [()]
        for options in choices:
            alternatives = [alt + (option,) for alt in alternatives for option in options][:20]
        return self.match(qs, alternatives)

    def _vocabulary(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {FTS_TABLE}_vocab")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]


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


def _near(communes) -> Q:
    served = Service.communes_served.through.objects.filter(commune__in=communes).values("service_id")
    located = ServiceAtLocation.objects.filter(location__commune__in=communes).values("service_id")
    return Q(pk__in=served) | Q(pk__in=located)


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
        is_verified=ExpressionWrapper(Q(last_verified_at__gte=limit), output_field=BooleanField()),
    )
    commune = filters.commune
    if commune is None:
        return qs.annotate(local_tier=Value(0, output_field=IntegerField()))
    # A commune always comes with its proximity filter (_apply_filters: local_tier ≤ the widest tier
    # asked), so the widest tier needs no test of its own in the ranking: it is what remains. This
    # spares computing the largest set (the whole département) a second time.
    widest = _MAX_TIER.get(filters.proximity, 2)
    tiers = [(0, [commune.pk])]
    if commune.epci_id:
        tiers.append((1, Commune.objects.filter(epci_id=commune.epci_id).values("pk")))
    tiers.append((2, Commune.objects.filter(departement_id=commune.departement_id).values("pk")))
    cases = [When(_near(communes), then=Value(tier)) for tier, communes in tiers if tier < widest]
    return qs.annotate(local_tier=Case(*cases, default=Value(widest), output_field=IntegerField())).alias(
        within_reach=ExpressionWrapper(
            functools.reduce(operator.or_, (_near(communes) for tier, communes in tiers if tier <= widest)),
            output_field=BooleanField(),
        ),
    )


_MAX_TIER = {Proximity.COMMUNE: 0, Proximity.EPCI: 1, Proximity.DEPARTEMENT: 2}
FACET_FILTERS = ("need", "domain", "public", "accessibility", "fee", "offer_kind", "open_now")


def _apply_filters(qs: QuerySet, filters: SearchFilters, skip: str = "") -> QuerySet:
    for name, slug in TERM_FILTERS.items():
        code = getattr(filters, name)
        if code and skip != name:
            qs = qs.filter(_with_term(slug, code))
    if filters.commune is not None:
        qs = qs.filter(within_reach=True)  # local_tier ≤ the widest tier asked
    if filters.accessibility and skip != "accessibility":
        features = ServiceAccessibility.objects.filter(feature=filters.accessibility)
        qs = qs.filter(pk__in=features.values("service_id"))
    if filters.fee and skip != "fee":
        qs = qs.filter(fee_kind=filters.fee)
    if filters.offer_kind and skip != "offer_kind":
        qs = qs.filter(offer_kind=filters.offer_kind)
    if filters.open_now and skip != "open_now":
        qs = qs.filter(is_open=True)
    if filters.age is not None:
        qs = qs.filter(Q(age_min__isnull=True) | Q(age_min__lte=filters.age))
        qs = qs.filter(Q(age_max__isnull=True) | Q(age_max__gte=filters.age))
    return qs


def _ids(qs: QuerySet) -> QuerySet:
    return qs.order_by().values("pk")


def _facets(qs: QuerySet, filters: SearchFilters) -> tuple[dict[str, list[FacetValue]], int]:
    """Counts per filter value, each computed with every other filter applied (so that choosing a
    value in one filter shows how many results each value of that filter would give); and the number
    of results. A facet whose own filter is not set counts over the results themselves, so facets
    share their queries: one for the terms of the three vocabularies, one for accessibility, one
    aggregate for fees, kinds of offer, « ouvert maintenant » and the total, plus one more per
    facet whose filter is set."""
    scopes = {name: (name if getattr(filters, name) else "") for name in FACET_FILTERS}

    def filtered(scope: str) -> QuerySet:
        return _apply_filters(qs, filters, skip=scope)

    terms_by_slug: dict[str, list[TaxonomyTerm]] = {slug: [] for slug in TERM_FILTERS.values()}
    vocabularies = TaxonomyTerm.objects.filter(taxonomy__slug__in=TERM_FILTERS.values())
    for term in vocabularies.select_related("taxonomy").order_by("position", "name"):
        terms_by_slug[term.taxonomy.slug].append(term)
    facets: dict[str, list[FacetValue]] = {}
    term_counts: dict[int, int] = {}
    for scope in dict.fromkeys(scopes[name] for name in TERM_FILTERS):
        names = [name for name in TERM_FILTERS if scopes[name] == scope]
        wanted = [t.pk for name in names for t in terms_by_slug[TERM_FILTERS[name]]]
        links = Service.terms.through.objects.filter(service_id__in=_ids(filtered(scope)), taxonomyterm_id__in=wanted)
        term_counts |= dict(links.values_list("taxonomyterm_id").annotate(n=Count("service_id")).order_by())
    for name, slug in TERM_FILTERS.items():
        facets[name] = [FacetValue(t.code, t.name, term_counts.get(t.pk, 0)) for t in terms_by_slug[slug]]

    ids = _ids(filtered(scopes["accessibility"]))
    counts = dict(
        ServiceAccessibility.objects.filter(service__in=ids)
        .values_list("feature")
        .annotate(n=Count("service_id"))
        .order_by()
    )
    facets["accessibility"] = [FacetValue(v, label, counts.get(v, 0)) for v, label in AccessibilityFeature.choices]

    columns = {"fee": ("fee_kind", FeeKind), "offer_kind": ("offer_kind", OfferKind)}
    totals: dict[str, int] = {}
    for scope in dict.fromkeys(["", *(scopes[name] for name in ("fee", "offer_kind", "open_now"))]):
        aggregates = {"total": Count("pk")} if scope == "" else {}
        for name, (column, enum) in columns.items():
            if scopes[name] == scope:
                aggregates |= {f"{name}:{v}": Count("pk", filter=Q(**{column: v})) for v in enum.values}
        if scopes["open_now"] == scope:
            aggregates["open_now:1"] = Count("pk", filter=Q(is_open=True))
        totals |= filtered(scope).order_by().aggregate(**aggregates)
    for name, (_, enum) in columns.items():
        facets[name] = [FacetValue(v, label, totals[f"{name}:{v}"]) for v, label in enum.choices]
    facets["open_now"] = [FacetValue("1", "Ouvert maintenant", totals["open_now:1"])]
    return {name: facets[name] for name in FACET_LABELS}, totals["total"]


def search_services(
    queryset: QuerySet,
    filters: SearchFilters,
    *,
    page: int | str | None = 1,
    page_size: int = conf.DEFAULT_PAGE_SIZE,
    now: datetime | None = None,
    with_facets: bool = True,
) -> SearchResult:
    """Search `queryset` (already scoped by the access policy) with `filters`; one page of results."""
    now = now or timezone.now()
    page_size = max(1, min(int(page_size), conf.MAX_PAGE_SIZE))
    alternatives = query_alternatives(filters.q)
    fuzzy = False
    if alternatives:
        matched = engine().match(queryset, alternatives)
        if not matched.exists():
            matched = engine().fuzzy(queryset, alternatives[0])
            fuzzy = True
    else:
        matched = queryset.annotate(text_rank=Value(0.0, output_field=FloatField()))
    annotated = _annotate(matched, filters, now)
    results = _apply_filters(annotated, filters).order_by(
        "local_tier", "-is_verified", "-is_open", "-text_rank", "name", "pk"
    )
    results = results.select_related("organisation").prefetch_related(
        "service_at_locations__location__commune", "accessibility"
    )
    paginator = Paginator(results, page_size)
    facets = {}
    if with_facets:
        facets, paginator.count = _facets(annotated, filters)  # the facets' aggregate counts the results too
    return SearchResult(page=paginator.get_page(page), facets=facets, fuzzy=fuzzy, alternatives=alternatives)
