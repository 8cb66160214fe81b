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
synonyms of `SYNONYMS` (abbreviations: « APA », « RSA », « CCAS »…; « St » for « Saint »).

Ranking (`sql.ORDERING`), the same on both databases and both answers:
1. relevance, the text tier (`text.TextTiers`): every word searched begins a word of the service's
   name > some word searched is a word of its name > found elsewhere only (description, other
   fields, needs and publics, organisation, commune) > a typo's correction (the same three tiers);
2. nearness to the commune searched: the commune itself, then its EPCI, then its département;
3. freshness: verified within `conf.freshness_days()` first;
4. open now; then the name.
« Local » reads the reach table (models.ServiceReach: the communes each
service serves or is delivered in, with their EPCI and département), kept by the services' writes.

The search pages take their page, count and facet counts from the in-memory index (`index`) when
it is up to date, else from one SQL statement (`sql.run`). The package: `text` (normalisation,
synonyms, engines), `filters` (what a search asks and answers), `sql`, `index`.
"""

from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from maillage.directory import conf
from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind
from maillage.directory.models import Service, ServiceAtLocation, TaxonomyTerm
from maillage.directory.search import index as search_index
from maillage.directory.search.filters import (
    FACET_LABELS,
    TERM_FILTERS,
    Facet,
    FacetValue,
    SearchFilters,
    SearchResult,
)
from maillage.directory.search.sql import (
    ORDERING,
    annotate,
    conditions_of,
    page_number,
    run,
    scope_filters,
    with_text_tier,
)
from maillage.directory.search.text import (
    TextTiers,
    Vocabulary,
    corrections,
    document_text,
    engine,
    essential,
    name_text,
    normalise,
    query_alternatives,
    stem,
)

__all__ = [
    "FACET_LABELS",
    "TERM_FILTERS",
    "Facet",
    "FacetValue",
    "SearchFilters",
    "SearchResult",
    "Vocabulary",
    "corrections",
    "document_text",
    "engine",
    "essential",
    "name_text",
    "normalise",
    "query_alternatives",
    "search_services",
    "stem",
]


def _vocabularies() -> dict[str, list[TaxonomyTerm]]:
    """The terms of the three filtered vocabularies, by taxonomy slug, in their order (one query)."""
    terms = TaxonomyTerm.objects.filter(taxonomy__slug__in=TERM_FILTERS.values()).select_related("taxonomy")
    terms_by_slug: dict[str, list[TaxonomyTerm]] = {slug: [] for slug in TERM_FILTERS.values()}
    for term in terms.order_by("position", "name"):
        terms_by_slug[term.taxonomy.slug].append(term)
    return terms_by_slug


def _facets(
    counts: dict[str, dict[str, int]], conditions: dict[str, Q], terms_by_slug: dict | None = None
) -> dict[str, list[FacetValue]]:
    """Counts per filter value, each computed with every other filter applied (so that choosing a
    value in one filter shows how many results each value of that filter would give). A facet whose
    own filter is not set counts over the results themselves."""
    terms_by_slug = terms_by_slug or _vocabularies()
    facets: dict[str, list[FacetValue]] = {}
    for name, slug in TERM_FILTERS.items():
        by_term = counts.get(f"term:{name if name in conditions else ''}", {})
        facets[name] = [FacetValue(t.code, t.name, by_term.get(str(t.pk), 0)) for t in terms_by_slug[slug]]
    for name, enum in (("accessibility", AccessibilityFeature), ("fee", FeeKind), ("offer_kind", OfferKind)):
        facets[name] = [FacetValue(v, label, counts.get(name, {}).get(v, 0)) for v, label in enum.choices]
    facets["open_now"] = [FacetValue("1", "Ouvert maintenant", counts.get("open_now", {}).get("1", 0))]
    return {name: facets[name] for name in FACET_LABELS}


def _page_services(rows: list[tuple[int, int]]) -> list[Service]:
    """The services of one page, in ranking order, with the ranking keys the results show. Only the
    fields the results show (includes/_results.html) are read: building full rows of five models for
    a page took a third of the search's time at 50,000 services."""
    services = (
        Service.objects.filter(pk__in=[pk for pk, _ in rows])
        .select_related("organisation")
        .only("name", "description", "status", "offer_kind", "organisation__name")
    )
    at = ServiceAtLocation.objects.select_related("location__commune")
    at = at.only("service", "location", "location__commune", "location__commune__name")
    by_pk = {s.pk: s for s in services.prefetch_related(Prefetch("service_at_locations", queryset=at))}
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
    and the index is up to date, else one SQL statement (`sql.run`). Without (API, selection,
    reception), the page is a slice of the ranked queryset."""
    now = now or timezone.now()
    page_size = max(1, min(int(page_size), conf.MAX_PAGE_SIZE))
    index = search_index.usable_index() if with_facets and scope is not None else None
    if index is not None:
        return _search_with_index(index, scope, filters, page=page, page_size=page_size, now=now)
    alternatives = query_alternatives(filters.q)
    fuzzy, tiers = False, None
    matched = queryset
    if alternatives:
        matched, tiers = engine().match(queryset, alternatives), TextTiers(tuple(alternatives))
        if not matched.exists():
            matched, tiers = engine().fuzzy(queryset, alternatives[0])
            fuzzy = True
    matched = with_text_tier(matched, tiers)
    scoped = scope_filters(annotate(matched, filters, now), filters)
    conditions = conditions_of(filters)
    results = scoped.filter(*conditions.values()).order_by(*ORDERING)
    results = results.select_related("organisation").prefetch_related(
        "service_at_locations__location__commune", "accessibility"
    )
    paginator = Paginator(results, page_size)
    if not with_facets:
        return SearchResult(page=paginator.get_page(page), fuzzy=fuzzy, alternatives=alternatives)
    number = page_number(page)
    answer = run(scoped, conditions, offset=(number - 1) * page_size, limit=page_size)
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
        ids = index.text_matches(("match", *alternatives), lambda: engine().match_ids(alternatives))
        matches = (ids, TextTiers(tuple(alternatives)))
        if not index.any_in_scope(scope, ids):
            tiers = TextTiers(tuple(index.corrections(alternatives[0])), fuzzy=True)
            ids = index.text_matches(("fuzzy", *tiers.alternatives), lambda: engine().fuzzy_ids(tiers.alternatives))
            matches, fuzzy = (ids, tiers), True
    terms_by_slug = _vocabularies()  # the facets' labels, and the terms the filters name
    term_ids = {}
    for name, slug in TERM_FILTERS.items():
        if code := getattr(filters, name):
            term_ids[name] = next((t.pk for t in terms_by_slug[slug] if t.code == code), None)

    def ask(number: int) -> search_index.Answer:
        offset = (number - 1) * page_size
        return index.answer(scope, filters, matches, term_ids, now=now, offset=offset, limit=page_size)

    number = page_number(page)
    answer = ask(number)
    paginator = Paginator(range(answer.counts["total"][""]), page_size)
    result_page = paginator.get_page(page)
    if result_page.number != number:  # beyond the last page: the last one
        answer = ask(result_page.number)
    result_page.object_list = _page_services(answer.page)
    conditions = conditions_of(filters)
    return SearchResult(
        page=result_page,
        facets=_facets(answer.counts, conditions, terms_by_slug),
        fuzzy=fuzzy,
        alternatives=alternatives,
    )
