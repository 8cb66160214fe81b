"""The search's in-memory index (directory.search.index): the same answers as the SQL statement on
random directories and searches, the access scopes read the same way, never stale (every write to
an indexed table changes the version, raw SQL included), never built from a state that changed
during the build, and the background mode answers in SQL until its thread has built the index."""

import datetime
import random
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from maillage.core.access import PUBLIC_SCOPE, ServiceScope, service_scope_for
from maillage.core.models import EPCI, Organisation
from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind, Proximity, ServiceStatus
from maillage.directory.models import (
    RegularSchedule,
    ScheduleException,
    Service,
    ServiceAccessibility,
    ServiceReach,
    Taxonomy,
    TaxonomyTerm,
)
from maillage.directory.search import SearchFilters, Vocabulary, corrections, search_services
from maillage.directory.search import index as search_index
from tests.core.factories import CommuneFactory, DepartementFactory, MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.directory.search_paths import everything, search_by

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
WEDNESDAY_11H = datetime.datetime(2025, 8, 13, 11, 0, tzinfo=PARIS)  # within a summer closure
WORDS = ["repas", "portage", "aide", "domicile", "aidants", "transport", "atelier", "numérique", "ehpad", "visite"]


@pytest.fixture(autouse=True)
def fresh_index():
    search_index.forget()
    yield
    search_index.forget()


@pytest.fixture
def territory():
    cote_dor, saone = DepartementFactory(code="21"), DepartementFactory(code="71", name="Saône-et-Loire")
    metro = EPCI.objects.create(code="242100410", name="Dijon Métropole", kind="METRO")
    beaune = EPCI.objects.create(code="200006682", name="Beaune Côte et Sud", kind="CA")
    return [
        CommuneFactory(code="21231", name="Dijon", epci=metro, departement=cote_dor),
        CommuneFactory(code="21617", name="Talant", epci=metro, departement=cote_dor),
        CommuneFactory(code="21054", name="Beaune", epci=beaune, departement=cote_dor),
        CommuneFactory(code="21603", name="Semur-en-Auxois", departement=cote_dor),
        CommuneFactory(code="71270", name="Mâcon", departement=saone),
    ]


def random_directory(rng: random.Random, communes, size: int = 90) -> list[Organisation]:
    """Services where every ranking key and filter varies: status, organisation (some inactive), text,
    terms, accessibility, fee, kind, ages, verification, places and areas, opening hours, closures."""
    organisations = [OrganisationFactory() for _ in range(5)]
    Organisation.objects.filter(pk=organisations[-1].pk).update(is_active=False)
    vocabularies = {
        slug: list(TaxonomyTerm.objects.filter(taxonomy__slug=slug)[:6])
        for slug in (Taxonomy.NEEDS, Taxonomy.DOMAINS, Taxonomy.PUBLICS)
    }
    features = [value for value, _ in AccessibilityFeature.choices]
    for i in range(size):
        verified = rng.choice([None, WEDNESDAY_11H - datetime.timedelta(days=rng.choice([1, 100, 364, 366, 800]))])
        service = ServiceFactory(
            organisation=rng.choice(organisations),
            name=f"{rng.choice(['Atelier', 'Service', 'Portage', 'Aide'])} {rng.choice(WORDS)} {i % 7}",
            description=" ".join(rng.sample(WORDS, 3)),
            status=rng.choice([ServiceStatus.PUBLISHED] * 4 + [ServiceStatus.DRAFT]),
            fee_kind=rng.choice(FeeKind.values),
            offer_kind=rng.choice(OfferKind.values),
            age_min=(age_min := rng.choice([None, None, 18, 60])),
            age_max=rng.choice([None, None, *(a for a in (25, 99) if age_min is None or a >= age_min)]),
            last_verified_at=verified,
            terms=[rng.choice(terms) for terms in vocabularies.values() if rng.random() < 0.8],
            commune=rng.choice(communes) if rng.random() < 0.8 else None,
            communes_served=rng.sample(communes, rng.choice([0, 0, 1, 2])),
        )
        for feature in rng.sample(features, rng.choice([0, 0, 1, 2])):
            ServiceAccessibility.objects.create(service=service, feature=feature)
        for _ in range(rng.choice([0, 1, 2])):
            opens = rng.choice([8, 9, 11, 14])
            RegularSchedule.objects.create(
                service=service,
                weekday=rng.choice([2, 2, 4]),
                opens_at=datetime.time(opens),
                closes_at=datetime.time(opens + rng.choice([0, 1, 3]), 30),
            )
        if rng.random() < 0.25:
            closed, start = rng.random() < 0.6, rng.choice([1, 13, 14])
            opens = rng.choice([10, 12])
            ScheduleException.objects.create(
                service=service,
                start_date=datetime.date(2025, 8, start),
                end_date=datetime.date(2025, 8, max(start, rng.choice([13, 20]))),
                is_closed=closed,
                opens_at=None if closed else datetime.time(opens),
                closes_at=None if closed else datetime.time(opens + rng.choice([1, 4])),
            )
    return organisations


def random_filters(rng: random.Random, communes) -> dict:
    filters = {}
    if rng.random() < 0.6:
        filters["q"] = rng.choice(
            [*WORDS, "portage de repas", "livraison de repas", "teleasistance", "atelir", "zzqx"]
        )
    if rng.random() < 0.5:
        filters["commune"] = rng.choice(communes)
        filters["proximity"] = rng.choice(Proximity.values)
    for name, slug in (("need", Taxonomy.NEEDS), ("domain", Taxonomy.DOMAINS), ("public", Taxonomy.PUBLICS)):
        if rng.random() < 0.2:
            filters[name] = rng.choice(list(TaxonomyTerm.objects.filter(taxonomy__slug=slug)[:6])).code
    if rng.random() < 0.25:
        filters["accessibility"] = rng.choice(AccessibilityFeature.values)
    if rng.random() < 0.25:
        filters["fee"] = rng.choice(FeeKind.values)
    if rng.random() < 0.2:
        filters["offer_kind"] = rng.choice(OfferKind.values)
    if rng.random() < 0.3:
        filters["open_now"] = True
    if rng.random() < 0.15:
        filters["age"] = rng.choice([10, 30, 70])
    return filters


def answer(path: str, scope: ServiceScope, filters: dict, page) -> dict:
    result = search_by(path, SearchFilters(**filters), scope=scope, page=page, page_size=7, now=WEDNESDAY_11H)
    return {
        "page": [(s.pk, s.local_tier, bool(s.is_verified), bool(s.is_open)) for s in result.page],
        "number": result.page.number,
        "count": result.page.paginator.count,
        "facets": {name: [(v.value, v.count) for v in values] for name, values in result.facets.items()},
        "fuzzy": result.fuzzy,
    }


@pytest.mark.parametrize("seed", [1, 3])
def test_the_index_answers_as_the_sql_statement(territory, seed):
    rng = random.Random(seed)  # noqa: S311
    organisations = random_directory(rng, territory)
    member = MembershipFactory(organisation=organisations[0]).user
    scopes = [PUBLIC_SCOPE, ServiceScope(), service_scope_for(member), everything()]
    answers = []
    typos = [{"q": "domicle"}, {"q": "portage de rpas", "commune": territory[0]}]
    for filters in [random_filters(rng, territory) for _ in range(25)] + typos:
        for scope in scopes:
            for page in (1, 2, "9"):
                from_index = answer("index", scope, filters, page)
                assert from_index == answer("sql", scope, filters, page), (filters, scope, page)
                answers.append(from_index)
    # Not vacuous: results on several pages, empty ones, typos, and every ranking key took both values.
    assert max(a["count"] for a in answers) > 14 and min(a["count"] for a in answers) == 0
    assert any(a["fuzzy"] for a in answers)
    keys = {key for a in answers for row in a["page"] for key in enumerate(row[1:])}
    assert {(0, 0), (1, True), (1, False), (2, True), (2, False)} <= keys
    assert {(0, 1), (0, 2)} & keys  # services further than the commune, after it


def test_scopes_read_on_the_arrays_are_the_querysets(territory):
    organisations = random_directory(random.Random(5), territory, size=40)
    member = MembershipFactory(organisation=organisations[1]).user
    MembershipFactory(user=member, organisation=organisations[-1])  # an inactive organisation: no drafts
    index = search_index.usable_index()
    for scope in (PUBLIC_SCOPE, ServiceScope(), service_scope_for(member), everything()):
        in_index = set(index.ids[index.scope_mask(scope)].tolist())
        assert in_index == set(scope.queryset().values_list("pk", flat=True))
    assert set(index.ids[index.scope_mask(PUBLIC_SCOPE)].tolist()) < set(index.ids.tolist())


def test_every_write_to_an_indexed_table_changes_the_version(territory):
    service = ServiceFactory(commune=territory[0])
    writes = [
        lambda: Service.objects.filter(pk=service.pk).update(fee_kind=FeeKind.PAID),
        lambda: service.terms.add(TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.NEEDS).first()),
        lambda: ServiceAccessibility.objects.create(service=service, feature="step_free"),
        lambda: ServiceReach.objects.filter(service=service).delete(),
        lambda: RegularSchedule.objects.create(
            service=service, weekday=0, opens_at=datetime.time(9), closes_at=datetime.time(10)
        ),
        lambda: ScheduleException.objects.create(
            service=service, start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 1, 2)
        ),
        lambda: Organisation.objects.filter(pk=service.organisation_id).update(is_active=False),
        lambda: _raw(f"UPDATE directory_service SET name = 'Renommé' WHERE id = {service.pk}"),
        lambda: Service.objects.filter(pk=service.pk).delete(),
    ]
    for write in writes:
        before = search_index.current_version()
        write()
        assert search_index.current_version() != before, write
    before = search_index.current_version()
    list(Service.objects.all())
    assert search_index.current_version() == before  # reading changes nothing


def _raw(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)


def test_a_change_shows_in_the_next_search_at_once(territory):
    service = ServiceFactory(name="Portage de repas du canton", commune=territory[0])
    assert [s.pk for s in search_by("index", SearchFilters(q="repas"), scope=PUBLIC_SCOPE).page] == [service.pk]
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.DRAFT)
    assert list(search_by("index", SearchFilters(q="repas"), scope=PUBLIC_SCOPE).page) == []
    _raw(f"UPDATE directory_service SET status = 'published', search_text = 'velo' WHERE id = {service.pk}")
    assert [s.pk for s in search_by("index", SearchFilters(q="vélo"), scope=PUBLIC_SCOPE).page] == [service.pk]


def test_a_build_that_saw_a_change_is_thrown_away(territory, monkeypatch):
    ServiceFactory(commune=territory[0])
    original = search_index.SearchIndex.__init__

    def build_during_a_write(self, version):
        original(self, version)
        ServiceFactory(commune=territory[1])  # committed by someone else while the arrays were read

    monkeypatch.setattr(search_index.SearchIndex, "__init__", build_during_a_write)
    assert search_index.build() is None
    assert search_index.usable_index() is None  # the search then answers in SQL
    monkeypatch.setattr(search_index.SearchIndex, "__init__", original)
    assert search_index.usable_index().size == Service.objects.count()


@override_settings(MAILLAGE_DIRECTORY_SEARCH_INDEX="off")
def test_off_answers_in_sql(territory):
    ServiceFactory(commune=territory[0])
    assert search_index.usable_index() is None
    assert search_by("sql", SearchFilters()).page.paginator.count == 1


@pytest.fixture
def committed():
    """A test whose writes are committed (the build thread has its own connection); the flush that
    follows it empties the tables, so the vocabularies the migrations load are loaded again."""
    yield
    call_command("load_taxonomies", verbosity=0)


@pytest.mark.django_db(transaction=True)
@override_settings(MAILLAGE_DIRECTORY_SEARCH_INDEX="background")
def test_background_answers_in_sql_while_a_thread_builds(committed, territory):
    service = ServiceFactory(name="Téléassistance", commune=territory[0])
    assert search_index.usable_index() is None  # missing: a thread starts building it
    result = search_services(PUBLIC_SCOPE.queryset(), SearchFilters(q="téléassistance"), scope=PUBLIC_SCOPE)
    assert [s.pk for s in result.page] == [service.pk]  # answered meanwhile, in SQL
    search_index.wait_for_build()
    index = search_index.usable_index()
    assert index is not None and index.size == 1
    search_services(PUBLIC_SCOPE.queryset(), SearchFilters(q="téléalarme"), scope=PUBLIC_SCOPE)  # remembered
    Service.objects.filter(pk=service.pk).update(name="Téléalarme", search_text="telealarme")
    assert search_index.usable_index() is None  # out of date: rebuilt in the background again
    search_index.wait_for_build()
    rebuilt = search_index.usable_index()
    assert rebuilt is not index
    # The new index asked again the texts the previous one remembered: the search finds the new name
    # without waiting for the database.
    assert rebuilt.recent_texts(5) == index.recent_texts(5) != []
    result = search_services(PUBLIC_SCOPE.queryset(), SearchFilters(q="téléalarme"), scope=PUBLIC_SCOPE)
    assert [s.pk for s in result.page] == [service.pk]


def test_text_matches_are_remembered_per_version_and_bounded(territory, monkeypatch):
    ServiceFactory(name="Portage de repas", commune=territory[0])
    index = search_index.usable_index()
    asked = []

    def ask(n):
        asked.append(n)
        return search_index.np.arange(n, dtype=search_index.np.int64)

    monkeypatch.setattr(search_index, "TEXT_CACHE_MATCHES", 10)
    index.text_matches("a", lambda: ask(4))
    index.text_matches("a", lambda: ask(4))
    assert asked == [4]  # remembered
    index.text_matches("b", lambda: ask(5))
    index.text_matches("c", lambda: ask(5))  # 14 matches > 10: the least recently used goes
    index.text_matches("a", lambda: ask(4))
    assert asked == [4, 5, 5, 4]


def test_typo_corrections_use_the_indexed_words():
    vocabulary = Vocabulary.of(["teleassistance", "repa", "portage", "pas"])
    assert corrections(("teleasistance",), vocabulary) == [("teleassistance",)]
    assert ("portage", "repa") in corrections(("portage", "rpas"), vocabulary)
    assert corrections(("portage", "zzqx"), vocabulary) == []  # a word with no close word: nothing


def test_a_typo_in_a_large_directory_is_answered_from_the_indexed_words(territory):
    ServiceFactory(name="Téléassistance", commune=territory[0])
    ServiceFactory(name="Épicerie solidaire", commune=territory[1])
    for path in ("sql", "index"):
        result = search_by(path, SearchFilters(q="epicrie solidair"))
        assert [s.name for s in result.page] == ["Épicerie solidaire"] and result.fuzzy


def test_the_change_log_keeps_a_week_and_always_its_newest_row(territory):
    from maillage.core.retention import RULES
    from maillage.directory.models import SearchIndexChange

    ServiceFactory(commune=territory[0])
    SearchIndexChange.objects.update(created_at=WEDNESDAY_11H - datetime.timedelta(days=30))
    rule = RULES["directory.search_index.changes"]
    newest = SearchIndexChange.objects.latest("pk")
    old = set(SearchIndexChange.objects.exclude(pk=newest.pk).values_list("pk", flat=True))
    assert set(rule.expired(WEDNESDAY_11H).values_list("pk", flat=True)) == old
    assert not rule.expired(WEDNESDAY_11H - datetime.timedelta(days=24)).exists()  # a week not over yet
    before = search_index.current_version()
    rule.expired(WEDNESDAY_11H).delete()
    assert SearchIndexChange.objects.filter(pk=newest.pk).exists()
    assert search_index.current_version() != before or not old  # a purge is a change (one rebuild)
