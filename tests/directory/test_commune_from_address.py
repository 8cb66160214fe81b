"""The commune of a third party's address, from its postal code and its city
(core.territories.CommuneIndex): HSDS has no field for an INSEE code, and data·inclusion's
`code_insee` is often null. Table-driven over the real French territory shipped with Maillage."""

import pytest

from maillage.core.territories import (
    AddressNotResolved,
    CommuneIndex,
    commune_name_key,
    postal_code_key,
    read_extract,
)


@pytest.fixture(scope="module")
def index():
    return CommuneIndex.from_extract(read_extract())


@pytest.mark.parametrize(
    ("postal_code", "city", "insee"),
    [
        ("35000", "Rennes", "35238"),
        ("35200", "RENNES", "35238"),  # upper case, another of its postal codes
        ("35 000", "rennes", "35238"),  # a space in the postal code
        ("F-35000", "Rennes", "35238"),
        ("35043", "Rennes Cedex", "35238"),  # a CEDEX code is no commune's: the name, in the département
        ("35043", "RENNES CEDEX 9", "35238"),
        ("35043", "Rennes Cédex", "35238"),
        ("69421", "LYON CEDEX 03", "69123"),
        ("75015", "Paris 15e", "75056"),  # arrondissements: the commune (it has the EPCI, searches use it)
        ("75015", "PARIS 15EME ARRONDISSEMENT", "75056"),
        ("75116", "Paris", "75056"),
        ("", "Paris 15e", "75056"),
        ("", "75015 Paris", "75056"),  # the postal code written in the city field
        ("", "35600 Sainte-Marie", "35294"),
        ("13013", "Marseille 13e", "13055"),
        ("69003", "Lyon 3e Arrondissement", "69123"),
        ("21850", "St Apollinaire", "21540"),  # « St » → Saint
        ("21850", "ST-APOLLINAIRE", "21540"),
        ("35600", "Ste-Marie", "35294"),  # « Ste » → Sainte, homonyms told apart by the postal code
        ("97438", "Ste Marie", "97418"),  # overseas: three-digit département
        ("97400", "St-Denis", "97411"),
        ("21110", "Genlis", "21292"),  # a postal code of 25 communes: picked by name
        ("21110", "Izeure", "21319"),
        ("35140", "Saint-Aubin", "35253"),  # the start of a name, among the communes of the code
        ("1400", "L'Abergement-Clémenciat", "01001"),  # a spreadsheet dropped the leading zero
        ("01400", "l abergement clemenciat", "01001"),  # no accents, no apostrophe
        ("72000", "Mans (Le)", "72181"),  # the old INSEE way of writing the article
        ("72000", "Le Mans", "72181"),
        ("20000", "Ajaccio", "2A004"),  # Corsica: 20 is 2A and 2B
        ("35000", "Renne", "35238"),  # a misspelt city: the postal code has one commune
        ("35000", "", "35238"),  # no city: the postal code has one commune
        ("", "Betton", "35024"),  # no postal code: the name has one commune in France
        ("21000", "Beaune", "21054"),  # a wrong postal code of the same département: the name wins
    ],
)
def test_an_address_finds_its_commune(index, postal_code, city, insee):
    assert index.resolve(postal_code, city) == insee


@pytest.mark.parametrize(
    ("postal_code", "city", "field", "says"),
    [
        ("35999", "Saint-Aubin", "city", "« Saint-Aubin » : 3 communes portent ce nom"),
        ("", "Saint-Aubin", "city", "10 communes portent ce nom"),
        ("", "Ste Marie", "city", "et le code postal manque pour les départager"),
        ("21110", "", "city", "Le code postal 21110 couvre 25 communes"),
        ("35000", "Paris", "postal_code", "le code postal 35000 est celui de Rennes (35238), pas de Paris (75056)"),
        ("99999", "Nulle-Part-sur-Mer", "city", "« 99999 Nulle-Part-sur-Mer » : commune inconnue"),
        ("98000", "Monaco", "city", "commune inconnue"),
        ("", "", "city", "Ni code postal ni ville"),
    ],
)
def test_an_ambiguous_or_unknown_address_names_the_field_and_what_was_found(index, postal_code, city, field, says):
    with pytest.raises(AddressNotResolved) as caught:
        index.resolve(postal_code, city)

    assert caught.value.field == field
    assert says in caught.value.message


def test_a_departement_not_loaded_says_so():
    index = CommuneIndex([("21231", "Dijon", "21", ["21000"], None)])

    with pytest.raises(AddressNotResolved, match="« 35000 Rennes » : commune inconnue .ou son département n'est"):
        index.resolve("35000", "Rennes")


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("ST ETIENNE CEDEX 1", "saint etienne"),
        ("Châlons-en-Champagne", "chalons en champagne"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
        ("Villeneuve s/ Lot", "villeneuve sur lot"),
        ("Paris 1er", "paris"),
        ("PARIS XVE", "paris"),
        ("Lyon IIIe arrondissement", "lyon"),
        ("Lyon 3", "lyon"),
    ],
)
def test_name_key(written, key):
    assert commune_name_key(written) == key


@pytest.mark.parametrize(("written", "key"), [("35 000", "35000"), ("1400", "01400"), ("FR-35000", "35000")])
def test_postal_code_key(written, key):
    assert postal_code_key(written) == key


@pytest.mark.parametrize(
    ("city", "areas", "insee"),
    [
        ("Sainte-Marie", ("Ille-et-Vilaine",), "35294"),  # HSDS state_province: the département's name
        ("Ste Marie", ("", "ILLE ET VILAINE (35)"), "35294"),
        ("Saint-Aubin", ("Côte-d'Or",), "21541"),
        ("Saint-Aubin", ("21",), "21541"),
    ],
)
def test_without_postal_code_the_departement_named_tells_homonyms_apart(index, city, areas, insee):
    assert index.resolve("", city, *areas) == insee


def test_a_region_does_not_tell_homonyms_apart(index):
    with pytest.raises(AddressNotResolved, match="10 communes portent ce nom"):
        index.resolve("", "Saint-Aubin", "Bretagne")
