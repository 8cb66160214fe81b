import datetime
import zoneinfo

import pytest
from django.utils import timezone

from maillage.core.models import EPCI
from maillage.directory.enums import Proximity
from maillage.directory.models import Taxonomy
from maillage.directory.search import SearchFilters, normalise, query_alternatives
from tests.core.factories import CommuneFactory, DepartementFactory
from tests.directory.factories import (
    RegularScheduleFactory,
    ScheduleExceptionFactory,
    ServiceAccessibilityFactory,
    ServiceFactory,
    term,
)
from tests.directory.search_paths import PATHS, search_by

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONDAY_10H = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=PARIS)


def names(result):
    return [s.name for s in result.page]


@pytest.fixture(autouse=True, params=PATHS)
def path(request):
    """Every search of this module runs on both answers: SQL, and the in-memory index."""
    global PATH
    PATH = request.param
    return request.param


PATH = "sql"


def run(q="", **filters):
    return search_by(PATH, SearchFilters(q=q, **filters), now=MONDAY_10H)


def test_normalise_folds_accents_case_plurals_and_stop_words():
    assert normalise("Aides MÉNAGÈRES à domicile pour les aînés") == ["aide", "menagere", "domicile", "aine"]
    assert normalise("Centres sociaux") == ["centre", "social"]
    assert normalise("Œuvres") == ["oeuvre"]


def test_synonyms_expand_the_query():
    assert ("ehpad",) in query_alternatives("maison de retraite")
    assert ("livraison", "repa") in query_alternatives("portage de repas")


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("aide ménagère", id="exact"),
        pytest.param("aide menagere", id="without-accents"),
        pytest.param("AIDES MÉNAGÈRES", id="plural-and-case"),
        pytest.param("menag", id="prefix"),
        pytest.param("aide menagre", id="typo"),
        pytest.param("auxiliaire de vie", id="synonym"),
    ],
)
def test_search_forgives(query):
    ServiceFactory(name="Aide ménagère à domicile")
    ServiceFactory(name="Club de lecture")
    assert names(run(query)) == ["Aide ménagère à domicile"]


def test_synonym_maison_de_retraite_finds_ehpad_and_back():
    ServiceFactory(name="EHPAD Les Tilleuls")
    ServiceFactory(name="Maison de retraite du Parc")
    assert set(names(run("maison de retraite"))) == {"EHPAD Les Tilleuls", "Maison de retraite du Parc"}
    assert set(names(run("ehpad"))) == {"EHPAD Les Tilleuls", "Maison de retraite du Parc"}


def test_synonym_livraison_de_repas_finds_portage():
    ServiceFactory(name="Portage de repas du CCAS")
    assert names(run("livraison de repas")) == ["Portage de repas du CCAS"]


def test_typo_is_flagged_as_approximate():
    ServiceFactory(name="Téléassistance pour les seniors")
    result = run("teleasistance")
    assert names(result) == ["Téléassistance pour les seniors"]
    assert result.fuzzy


@pytest.mark.parametrize(
    "query", ["'; DROP TABLE x; --", '"unterminated', "NEAR(* OR", "%_\\", "😀 ✓", "a" * 600, "&|!:*()"]
)
def test_odd_characters_never_error(query):
    ServiceFactory(name="Aide ménagère")
    run(query)


def test_searches_terms_and_organisation_name():
    ServiceFactory(name="Accueil", terms=[term(Taxonomy.NEEDS, "se-premunir-des-arnaques")])
    assert names(run("arnaques")) == ["Accueil"]


def test_filters_by_need_domain_public_fee_kind_accessibility_and_age():
    target = ServiceFactory(
        name="Cible",
        terms=[
            term(Taxonomy.NEEDS, "se-nourrir"),
            term(Taxonomy.DOMAINS, "maintien-a-domicile"),
            term(Taxonomy.PUBLICS, "personnes-agees"),
        ],
        fee_kind="means_tested",
        offer_kind="volunteer",
        age_min=60,
    )
    ServiceAccessibilityFactory(service=target, feature="easy_read")
    ServiceFactory(name="Autre", terms=[term(Taxonomy.NEEDS, "parler-avec-autrui")], age_max=25)
    assert names(run(need="se-nourrir")) == ["Cible"]
    assert names(run(domain="maintien-a-domicile")) == ["Cible"]
    assert names(run(public="personnes-agees")) == ["Cible"]
    assert names(run(fee="means_tested")) == ["Cible"]
    assert names(run(offer_kind="volunteer")) == ["Cible"]
    assert names(run(accessibility="easy_read")) == ["Cible"]
    assert names(run(age=70)) == ["Cible"]
    assert names(run(age=20)) == ["Autre"]


def test_open_now_respects_hours_and_summer_closure():
    open_service = ServiceFactory(name="Ouvert")
    RegularScheduleFactory(service=open_service, weekday=0)
    closed_hours = ServiceFactory(name="Après-midi")
    RegularScheduleFactory(service=closed_hours, weekday=0, opens_at=datetime.time(14), closes_at=datetime.time(17))
    assert names(run(open_now=True)) == ["Ouvert"]
    ScheduleExceptionFactory(
        service=open_service, start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 3, 31)
    )
    assert names(run(open_now=True)) == []


def test_commune_proximity_tiers_and_local_first():
    departement = DepartementFactory()
    epci = EPCI.objects.create(code="242100410", name="Dijon Métropole", kind="METRO")
    dijon = CommuneFactory(code="21231", name="Dijon", epci=epci, departement=departement)
    talant = CommuneFactory(code="21617", name="Talant", epci=epci, departement=departement)
    beaune = CommuneFactory(code="21054", name="Beaune", departement=departement)
    ServiceFactory(name="A à Beaune", commune=beaune)
    ServiceFactory(name="B à Talant", commune=talant)
    ServiceFactory(name="C sert Dijon", communes_served=[dijon])
    assert names(run(commune=dijon, proximity=Proximity.COMMUNE)) == ["C sert Dijon"]
    assert names(run(commune=dijon, proximity=Proximity.EPCI)) == ["C sert Dijon", "B à Talant"]
    assert names(run(commune=dijon)) == ["C sert Dijon", "B à Talant", "A à Beaune"]


def test_ranking_verified_then_open():
    checked, long_ago = MONDAY_10H - datetime.timedelta(days=1), MONDAY_10H - datetime.timedelta(days=400)
    stale_open = ServiceFactory(name="A ancien ouvert", last_verified_at=long_ago)
    RegularScheduleFactory(service=stale_open)
    ServiceFactory(name="B vérifié fermé", last_verified_at=checked)
    fresh_open = ServiceFactory(name="C vérifié ouvert", last_verified_at=checked)
    RegularScheduleFactory(service=fresh_open)
    assert names(run()) == ["C vérifié ouvert", "B vérifié fermé", "A ancien ouvert"]


def test_facets_count_each_value_with_the_other_filters():
    nourrir, parler = term(Taxonomy.NEEDS, "se-nourrir"), term(Taxonomy.NEEDS, "parler-avec-autrui")
    ServiceFactory(terms=[nourrir], fee_kind="free")
    ServiceFactory(terms=[nourrir], fee_kind="paid")
    ServiceFactory(terms=[parler], fee_kind="free")
    result = run(need="se-nourrir", fee="free")
    assert result.page.paginator.count == 1
    needs = {f.value: f.count for f in result.facets["need"]}
    assert needs["se-nourrir"] == 1 and needs["parler-avec-autrui"] == 1
    fees = {f.value: f.count for f in result.facets["fee"]}
    assert fees == {"free": 1, "paid": 1, "means_tested": 0}


def test_page_size_is_bounded():
    for _ in range(3):
        ServiceFactory()
    result = search_by(PATH, SearchFilters(), page_size=10_000, now=timezone.now())
    assert result.page.paginator.per_page == 50
    assert search_by(PATH, SearchFilters(), page="abc").page.number == 1
    assert search_by(PATH, SearchFilters(), page="99", page_size=2).page.number == 2  # the last page
