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
    Exists,
    ExpressionWrapper,
    FloatField,
    IntegerField,
    OuterRef,
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


class PostgresEngine:
    def match(self, qs: QuerySet, alternatives) -> QuerySet:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        raw = " | ".join("(" + " & ".join(f"{t}:*" for t in alt) + ")" for alt in alternatives)
        query = SearchQuery(raw, search_type="raw", config=TS_CONFIG)
        vector = SearchVector("search_text", config=TS_CONFIG)
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


def _term_exists(slug: str, code: str):
    return Exists(
        Service.terms.through.objects.filter(
            service_id=OuterRef("pk"), taxonomyterm__taxonomy__slug=slug, taxonomyterm__code=code
        )
    )


def _near(communes) -> Q:
    served = Service.communes_served.through.objects.filter(service_id=OuterRef("pk"), commune__in=communes)
    located = ServiceAtLocation.objects.filter(service_id=OuterRef("pk"), location__commune__in=communes)
    return Q(Exists(served)) | Q(Exists(located))


def _open_now(now: datetime) -> Q:
    """Open at `now` (local time): within a regular span, unless an exception covers today; an
    exception with its own hours (not closed) replaces the regular ones."""
    local = timezone.localtime(now)
    today, time = local.date(), local.time()
    exceptions = ScheduleException.objects.filter(
        service_id=OuterRef("pk"), start_date__lte=today, end_date__gte=today
    )
    regular = RegularSchedule.objects.filter(
        service_id=OuterRef("pk"), weekday=local.weekday(), opens_at__lte=time, closes_at__gt=time
    )
    special = exceptions.filter(is_closed=False, opens_at__lte=time, closes_at__gt=time)
    return Q(Exists(special)) | (Q(Exists(regular)) & ~Q(Exists(exceptions)))


def _annotate(qs: QuerySet, filters: SearchFilters, now: datetime) -> QuerySet:
    limit = now - timedelta(days=conf.freshness_days())
    qs = qs.annotate(
        is_open=ExpressionWrapper(_open_now(now), output_field=BooleanField()),
        is_verified=ExpressionWrapper(Q(last_verified_at__gte=limit), output_field=BooleanField()),
    )
    commune = filters.commune
    if commune is None:
        return qs.annotate(local_tier=Value(0, output_field=IntegerField()))
    tiers = [When(_near(Commune.objects.filter(pk=commune.pk)), then=Value(0))]
    if commune.epci_id:
        tiers.append(When(_near(Commune.objects.filter(epci_id=commune.epci_id)), then=Value(1)))
    tiers.append(When(_near(Commune.objects.filter(departement_id=commune.departement_id)), then=Value(2)))
    return qs.annotate(local_tier=Case(*tiers, default=Value(3), output_field=IntegerField()))


_MAX_TIER = {Proximity.COMMUNE: 0, Proximity.EPCI: 1, Proximity.DEPARTEMENT: 2}


def _apply_filters(qs: QuerySet, filters: SearchFilters, skip: str = "") -> QuerySet:
    for name, slug in TERM_FILTERS.items():
        code = getattr(filters, name)
        if code and skip != name:
            qs = qs.filter(_term_exists(slug, code))
    if filters.commune is not None:
        qs = qs.filter(local_tier__lte=_MAX_TIER.get(filters.proximity, 2))
    if filters.accessibility and skip != "accessibility":
        qs = qs.filter(
            Exists(ServiceAccessibility.objects.filter(service_id=OuterRef("pk"), feature=filters.accessibility))
        )
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


def _facets(qs: QuerySet, filters: SearchFilters) -> dict[str, list[FacetValue]]:
    """Counts per filter value, each computed with every other filter applied (so that choosing a
    value in one filter shows how many results each value of that filter would give)."""
    facets = {}
    for name, slug in TERM_FILTERS.items():
        ids = _ids(_apply_filters(qs, filters, skip=name))
        terms = (
            TaxonomyTerm.objects.filter(taxonomy__slug=slug)
            .annotate(n=Count("services", filter=Q(services__in=ids), distinct=True))
            .order_by("position", "name")
        )
        facets[name] = [FacetValue(t.code, t.name, t.n) for t in terms]
    ids = _ids(_apply_filters(qs, filters, skip="accessibility"))
    counts = dict(
        ServiceAccessibility.objects.filter(service__in=ids).values_list("feature").annotate(n=Count("service_id"))
    )
    facets["accessibility"] = [FacetValue(v, label, counts.get(v, 0)) for v, label in AccessibilityFeature.choices]
    for name, enum in (("fee", FeeKind), ("offer_kind", OfferKind)):
        ids = _ids(_apply_filters(qs, filters, skip=name))
        column = "fee_kind" if name == "fee" else "offer_kind"
        counts = dict(Service.objects.filter(pk__in=ids).values_list(column).annotate(n=Count("pk")).order_by())
        facets[name] = [FacetValue(v, label, counts.get(v, 0)) for v, label in enum.choices]
    open_count = _apply_filters(qs, filters, skip="open_now").filter(is_open=True).count()
    facets["open_now"] = [FacetValue("1", "Ouvert maintenant", open_count)]
    return facets


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
    return SearchResult(
        page=paginator.get_page(page),
        facets=_facets(annotated, filters) if with_facets else {},
        fuzzy=fuzzy,
        alternatives=alternatives,
    )
