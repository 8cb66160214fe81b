"""Finding a commune from what a person types (core.territories.find_commune): the search forms let
citizens and agents type a name or a postal code, not only the INSEE code."""

import pytest
from django.core.exceptions import ValidationError

from maillage.core.territories import find_commune
from tests.core.factories import CommuneFactory, DepartementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    cote_dor, saone = DepartementFactory(code="21"), DepartementFactory(code="71", name="Saône-et-Loire")
    return {
        "dijon": CommuneFactory(code="21231", name="Dijon", postal_codes=["21000"], departement=cote_dor),
        "macon": CommuneFactory(code="71270", name="Mâcon", postal_codes=["71000"], departement=saone),
        "apollinaire": CommuneFactory(
            code="21540", name="Saint-Apollinaire", postal_codes=["21850"], departement=cote_dor
        ),
        "ecutigny": CommuneFactory(code="21246", name="Écutigny", postal_codes=["21360"], departement=cote_dor),
        "genlis": CommuneFactory(code="21292", name="Genlis", postal_codes=["21110"], departement=cote_dor),
        "izeure": CommuneFactory(code="21320", name="Izeure", postal_codes=["21110"], departement=cote_dor),
        "marcilly_21": CommuneFactory(
            code="21379", name="Marcilly-Ogny", postal_codes=["21320"], departement=cote_dor
        ),
        "sully_21": CommuneFactory(code="21613", name="Sully", postal_codes=["21140"], departement=cote_dor),
        "sully_71": CommuneFactory(code="71529", name="Sully", postal_codes=["71360"], departement=saone),
        "semur": CommuneFactory(code="21603", name="Semur-en-Auxois", postal_codes=["21140"], departement=cote_dor),
        "saint_jean": CommuneFactory(
            code="21553", name="Saint-Jean-de-Losne", postal_codes=["21170"], departement=cote_dor
        ),
        "saint_julien": CommuneFactory(
            code="21555", name="Saint-Julien", postal_codes=["21490"], departement=cote_dor
        ),
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("21231", "dijon"),  # INSEE code
        ("21000", "dijon"),  # the only commune with this postal code
        ("Dijon", "dijon"),
        ("  dijon ", "dijon"),
        ("macon", "macon"),  # no accent
        ("MÂCON", "macon"),
        ("saint apollinaire", "apollinaire"),  # space for hyphen
        ("Saint-Apollinaire", "apollinaire"),
        ("ecutigny", "ecutigny"),  # accented capital in the name
        ("marcilly ogny", "marcilly_21"),
        ("semur", "semur"),  # the first word of the name
        ("saint jean", "saint_jean"),
        ("", None),
    ],
)
def test_a_commune_by_code_postal_code_or_name(communes, typed, expected):
    found = find_commune(typed)
    assert found == (communes[expected] if expected else None)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("21110", "Le code postal 21110 couvre plusieurs communes : Genlis (21292), Izeure (21320)"),
        ("Sully", "Plusieurs communes s'appellent « Sully » : Sully (21613), Sully (71529)"),
        ("Dijonville", "Aucune commune ne s'appelle « Dijonville »"),
        ("Sem", "Aucune commune ne s'appelle « Sem »"),  # a word's start is not a word
        ("Saint", "Plusieurs communes commencent par « Saint » : Saint-Apollinaire (21540), Saint-Jean-de-Losne"),
        ("99999", "Aucune commune n'a le code postal ou le code INSEE « 99999 »"),
        ("<script>", "Aucune commune ne s'appelle « <script> »"),
        ("1234", "« 1234 » n'est ni un nom de commune, ni un code postal, ni un code INSEE."),
        ("(.*)", "« (.*) » n'est ni un nom de commune"),
    ],
)
def test_nothing_or_several_communes_say_so_in_french(communes, typed, message):
    with pytest.raises(ValidationError) as raised:
        find_commune(typed)
    assert message in raised.value.messages[0]
