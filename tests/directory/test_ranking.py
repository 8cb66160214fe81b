"""The order of the directory's results, as the API documentation and the search page state it
(search.sql.ORDERING): relevance first — every word searched in the name, then a word of the name,
then found elsewhere (description, organisation, needs, commune), then a typo's correction —, then
nearness to the commune searched (the commune, its EPCI, its département, elsewhere), then freshness
(verified recently), then the name. Each table below is a search a person makes in a small but real
directory of Côte-d'Or and Ille-et-Vilaine, run on both answers (SQL and the in-memory index) and, with
the suite, on both databases."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.models import Commune
from maillage.core.territories import find_commune, load_territories, read_extract
from maillage.directory.enums import Proximity
from maillage.directory.search import SearchFilters
from tests.core.factories import OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.directory.search_paths import PATHS, search_by

pytestmark = pytest.mark.django_db

DIJON, TALANT, SAINT_APOLLINAIRE, BEAUNE, MONTBARD = "21231", "21617", "21540", "21054", "21425"
RENNES, SAINT_MALO, CESSON = "35238", "35288", "35051"

# (name, description, organisation, commune, days since last verified)
DIRECTORY = [
    ("Portage de repas à domicile", "Des repas équilibrés livrés du lundi au samedi.", "Ville de Dijon", DIJON, 10),
    (
        "Repas des anciens de Dijon",
        "Un déjeuner festif chaque mois pour les plus de 70 ans.",
        "Ville de Dijon",
        DIJON,
        40,
    ),
    (
        "Portage de repas — Association des aînés de Talant",
        "Plateaux livrés par des bénévoles.",
        "Association des aînés de Talant",
        TALANT,
        400,
    ),
    (
        "Portage de repas — CCAS de Saint-Apollinaire",
        "Livraison à domicile, sur inscription.",
        "CCAS de Saint-Apollinaire",
        SAINT_APOLLINAIRE,
        20,
    ),
    ("Portage de repas du Pays beaunois", "Livraisons dans les villages.", "CIAS du Pays beaunois", BEAUNE, 30),
    ("Livraison de repas à domicile", "Pour les retraités rennais.", "Ville de Rennes", RENNES, 5),
    (
        "Accueil de jour Les Tilleuls",
        "Pour les personnes atteintes de la maladie d'Alzheimer ; le repas de midi est pris ensemble.",
        "Association Les Tilleuls",
        DIJON,
        3,
    ),
    (
        "Aide à domicile",
        "Entretien du logement, courses, aide à la préparation des repas.",
        "CCAS de Saint-Apollinaire",
        SAINT_APOLLINAIRE,
        15,
    ),
    (
        "Allocation personnalisée d'autonomie : aide à la demande",
        "Nous aidons à remplir le dossier et suivons la demande.",
        "Ville de Dijon",
        DIJON,
        12,
    ),
    (
        "Accueil du Conseil départemental",
        "Informations sur l'allocation personnalisée d'autonomie et la prestation de compensation du handicap.",
        "Département de la Côte-d'Or",
        DIJON,
        60,
    ),
    (
        "Centre communal d'action sociale de Dijon",
        "Aides facultatives, domiciliation, instruction du RSA.",
        "Ville de Dijon",
        DIJON,
        8,
    ),
    (
        "CCAS de Saint-Apollinaire",
        "Accueil des habitants : aides, logement, seniors.",
        "CCAS de Saint-Apollinaire",
        SAINT_APOLLINAIRE,
        9,
    ),
    (
        "Centre local d'information et de coordination gérontologique du Beaunois",
        "Informer et orienter les personnes âgées et leurs proches.",
        "CIAS du Pays beaunois",
        BEAUNE,
        50,
    ),
    (
        "Maison départementale des personnes handicapées de la Côte-d'Or",
        "Droits et prestations des personnes handicapées.",
        "Département de la Côte-d'Or",
        DIJON,
        70,
    ),
    (
        "Caisse d'allocations familiales — permanence de Montbard",
        "Aides au logement, prestations familiales.",
        "Maison France services de Montbard",
        MONTBARD,
        25,
    ),
    ("Café des aidants", "Un temps d'échange mensuel pour les proches aidants.", "Association Les Tilleuls", DIJON, 7),
    (
        "Consultations de protection maternelle et infantile",
        "Suivi des enfants de moins de six ans.",
        "Département d'Ille-et-Vilaine",
        RENNES,
        14,
    ),
    (
        "Accompagnement des bénéficiaires du revenu de solidarité active",
        "Accompagnement social et professionnel.",
        "Département d'Ille-et-Vilaine",
        RENNES,
        33,
    ),
    ("Téléassistance", "Un bouton d'appel relié à une centrale, jour et nuit.", "Ville de Saint-Malo", SAINT_MALO, 2),
    ("Transport accompagné", "Conduite aux rendez-vous médicaux.", "Maison France services de Montbard", MONTBARD, 90),
    ("Épicerie solidaire", "Produits alimentaires à petit prix.", "Ville de Cesson-Sévigné", CESSON, 11),
    ("Club de l'amitié", "Jeux de société et goûters.", "Ville de Cesson-Sévigné", CESSON, 100),
    ("Atelier mémoire", "Stimuler la mémoire en groupe.", "Association des aînés de Talant", TALANT, 21),
    ("Point d'accès au droit", "Consultations juridiques gratuites.", "Ville de Rennes", RENNES, 4),
]


@pytest.fixture(scope="module")
def extract():
    return read_extract()


@pytest.fixture
def communes(extract):
    load_territories(extract, departement_codes={"21", "35"})
    return {c.code: c for c in Commune.objects.filter(code__in=[row[3] for row in DIRECTORY])}


@pytest.fixture
def directory(communes):
    organisations = {}
    now = timezone.now()
    for name, description, organisation, commune, days in DIRECTORY:
        if organisation not in organisations:
            organisations[organisation] = OrganisationFactory(name=organisation)
        ServiceFactory(
            name=name,
            description=description,
            organisation=organisations[organisation],
            commune=communes[commune],
            last_verified_at=now - datetime.timedelta(days=days),
        )
    return communes


@pytest.fixture(params=PATHS)
def path(request):
    return request.param


def ranked(path, q="", **filters) -> list[str]:
    result = search_by(path, SearchFilters(q=q, **filters), page_size=50)
    return [service.name for service in result.page]


def test_the_communes_are_the_real_ones(directory):
    """The nearness tiers below rest on INSEE's grouping: Talant and Saint-Apollinaire are in Dijon
    Métropole, Beaune is in Côte-d'Or but not in it."""
    dijon, talant, apollinaire, beaune = (directory[c] for c in (DIJON, TALANT, SAINT_APOLLINAIRE, BEAUNE))
    assert dijon.epci_id and talant.epci_id == dijon.epci_id == apollinaire.epci_id
    assert beaune.epci_id != dijon.epci_id and beaune.departement_id == dijon.departement_id


REPAS_NEAR_DIJON = [
    # every word in the name, in Dijon: the name, then the rest, alphabetically
    "Portage de repas à domicile",
    "Repas des anciens de Dijon",
    # every word in the name, in Dijon Métropole: verified 20 days ago before 400 days ago
    "Portage de repas — CCAS de Saint-Apollinaire",
    "Portage de repas — Association des aînés de Talant",
    # every word in the name, elsewhere in Côte-d'Or
    "Portage de repas du Pays beaunois",
    # the word in the description only, in Dijon then in Dijon Métropole: after every name
    "Accueil de jour Les Tilleuls",
    "Aide à domicile",
]


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        pytest.param("repas", {"commune": DIJON}, REPAS_NEAR_DIJON, id="repas-pres-de-dijon"),
        pytest.param(
            "repas",
            {"commune": DIJON, "proximity": Proximity.EVERYWHERE},
            [*REPAS_NEAR_DIJON[:5], "Livraison de repas à domicile", *REPAS_NEAR_DIJON[5:]],
            id="repas-partout-rennes-apres-la-cote-d-or",
        ),
        pytest.param(
            "repas dijon",
            {},
            [
                "Repas des anciens de Dijon",  # both words in the name
                "Portage de repas à domicile",  # « repas » in the name, « Dijon » its commune
                "Accueil de jour Les Tilleuls",  # « repas » in the description
            ],
            id="nom-entier-puis-mot-du-nom-puis-description",
        ),
        pytest.param(
            "portage de repas",
            {"commune": DIJON, "proximity": Proximity.EPCI},
            [
                "Portage de repas à domicile",
                "Portage de repas — CCAS de Saint-Apollinaire",
                "Portage de repas — Association des aînés de Talant",
                # « repas à domicile », a synonym: « domicile » in the name, « repas » in the description
                "Aide à domicile",
            ],
            id="synonymes-dans-l-intercommunalite",
        ),
    ],
)
def test_order_of_results(directory, path, query, filters, expected):
    if "commune" in filters:
        filters = {**filters, "commune": directory[filters["commune"]]}
    assert ranked(path, query, **filters) == expected


def test_a_word_of_the_name_before_the_same_root_elsewhere(directory, path):
    """PostgreSQL's French stemmer also finds « aide » for « aidants » (SQLite folds plurals only): the
    ranking is the same on both, the name holding the word first."""
    found = ranked(path, "aidants", commune=directory[DIJON])
    assert found[0] == "Café des aidants"


def test_from_rennes_everything_near_rennes_first_then_the_names_elsewhere(directory, path):
    """Ties (same tier, same distance, same freshness) go by name in the database's own collation,
    which differs between SQLite and PostgreSQL for « à » and « — »: those groups are compared as sets."""
    found = ranked(path, "repas", commune=directory[RENNES], proximity=Proximity.EVERYWHERE)
    assert found[0] == "Livraison de repas à domicile"  # in Rennes
    assert set(found[1:5]) == {  # every word in the name, in Côte-d'Or, verified recently
        "Portage de repas — CCAS de Saint-Apollinaire",
        "Portage de repas à domicile",
        "Portage de repas du Pays beaunois",
        "Repas des anciens de Dijon",
    }
    assert found[5:] == [
        "Portage de repas — Association des aînés de Talant",  # not verified for 400 days
        "Accueil de jour Les Tilleuls",  # the word in the description only
        "Aide à domicile",
    ]


@pytest.mark.parametrize(
    ("query", "first", "absent"),
    [
        pytest.param("APA", ["Allocation personnalisée d'autonomie : aide à la demande"], [], id="APA"),
        pytest.param(
            "RSA",
            [
                "Accompagnement des bénéficiaires du revenu de solidarité active",
                "Centre communal d'action sociale de Dijon",
            ],
            [],
            id="RSA",
        ),
        pytest.param(
            "CCAS", ["CCAS de Saint-Apollinaire", "Centre communal d'action sociale de Dijon"], [], id="CCAS"
        ),
        pytest.param(
            "CLIC", ["Centre local d'information et de coordination gérontologique du Beaunois"], [], id="CLIC"
        ),
        pytest.param("MDPH", ["Maison départementale des personnes handicapées de la Côte-d'Or"], [], id="MDPH"),
        pytest.param(
            "CAF", ["Caisse d'allocations familiales — permanence de Montbard"], ["Café des aidants"], id="CAF"
        ),
        pytest.param("PMI", ["Consultations de protection maternelle et infantile"], [], id="PMI"),
        pytest.param("St Apollinaire", ["CCAS de Saint-Apollinaire"], [], id="St-Apollinaire"),
        pytest.param("Saint-Apollinaire", ["CCAS de Saint-Apollinaire"], [], id="Saint-Apollinaire"),
        pytest.param("st-apollinaire", ["CCAS de Saint-Apollinaire"], [], id="st-apollinaire"),
    ],
)
def test_abbreviations_and_names_people_type(directory, path, query, first, absent):
    found = ranked(path, query)
    assert found[: len(first)] == first
    assert not set(absent) & set(found)


def test_the_description_mentions_come_after_the_names(directory, path):
    """« APA » finds the service named after the allowance first, then the desk whose description
    names it in full; « Saint-Apollinaire » finds the CCAS named so, then the services in the commune."""
    assert ranked(path, "APA") == [
        "Allocation personnalisée d'autonomie : aide à la demande",
        "Accueil du Conseil départemental",
    ]
    assert ranked(path, "st apollinaire") == [
        "CCAS de Saint-Apollinaire",
        "Portage de repas — CCAS de Saint-Apollinaire",
        "Aide à domicile",
    ]


def test_a_typo_is_corrected_and_ranked_the_same_way(directory, path):
    result = search_by(path, SearchFilters(q="repsa", commune=directory[DIJON]), page_size=50)
    assert result.fuzzy
    # « repsa » is close to « repas » and to « RSA »: the names holding one come first, then the
    # descriptions, in Dijon (« instruction du RSA ») before Dijon Métropole.
    assert [s.name for s in result.page] == [
        *REPAS_NEAR_DIJON[:6],
        "Centre communal d'action sociale de Dijon",
        "Aide à domicile",
    ]


@pytest.mark.parametrize(
    "typed", ["St Apollinaire", "Saint-Apollinaire", "st-apollinaire", "SAINT APOLLINAIRE", "St. Apollinaire", "21850"]
)
def test_the_commune_is_found_as_people_type_it(directory, typed):
    assert find_commune(typed).code == SAINT_APOLLINAIRE


def test_a_commune_that_is_not_there_is_refused_in_french(directory):
    with pytest.raises(ValidationError, match="Aucune commune ne s'appelle « St Trucmuche »"):
        find_commune("St Trucmuche")


def test_the_search_page_takes_the_commune_as_typed_and_ranks_near_it_first(directory, client):
    response = client.get("/annuaire/public/", {"q": "portage de repas", "commune": "st-apollinaire"})
    assert response.status_code == 200
    names = [s.name for s in response.context["page_obj"]]
    assert names[0] == "Portage de repas — CCAS de Saint-Apollinaire"
    assert response.context["form"].cleaned_data["commune"].code == SAINT_APOLLINAIRE


def test_the_api_ranks_as_its_documentation_says(directory, client):
    documented = client.get("/api/v1/openapi.json").json()["paths"]["/services"]["get"]["description"]
    assert "classés par pertinence" in documented and "les plus proches de `commune` d'abord" in documented
    body = client.get("/api/v1/services", {"q": "repas", "commune": DIJON, "proximity": "departement"}).json()
    assert [s["name"] for s in body["contents"]] == REPAS_NEAR_DIJON
    body = client.get("/api/v1/services", {"q": "CAF"}).json()
    assert [s["name"] for s in body["contents"]] == ["Caisse d'allocations familiales — permanence de Montbard"]
