import pytest
from django.core.management import CommandError, call_command

from maillage.core.models import EPCI, Commune, Departement
from maillage.core.territories import load_territories, read_extract

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def extract():
    return read_extract()


def test_extract_covers_all_of_france(extract):
    assert len(extract["departements"]) >= 101
    communes = [c for c in extract["communes"] if c["type"] == "commune-actuelle"]
    assert 34_000 < len(communes) < 36_000
    assert len(extract["epci"]) > 1_200
    assert "INSEE" in extract["source"] and "Licence Ouverte" in extract["source"]


def test_loading_a_departement_gives_real_communes_epci_and_population(extract):
    report = load_territories(extract, departement_codes={"21"})
    assert report.departements == 1
    dijon = Commune.objects.get(code="21231")
    assert dijon.name == "Dijon"
    assert dijon.population > 150_000
    assert "21000" in dijon.postal_codes
    assert dijon.epci.kind == "METRO"
    assert dijon.departement.name == "Côte-d'Or"
    departement = Departement.objects.get(code="21")
    assert departement.population > 500_000
    assert Commune.objects.filter(departement=departement).count() == report.communes


def test_loading_twice_changes_nothing(extract):
    load_territories(extract, departement_codes={"21"})
    counts = (Commune.objects.count(), EPCI.objects.count(), Departement.objects.count())
    load_territories(extract, departement_codes={"21"})
    assert (Commune.objects.count(), EPCI.objects.count(), Departement.objects.count()) == counts


def test_paris_arrondissements_hang_on_paris(extract):
    load_territories(extract, departement_codes={"75"})
    first = Commune.objects.get(code="75101")
    assert first.kind == Commune.KIND_ARRONDISSEMENT
    assert first.parent.code == "75056"
    assert Commune.objects.get(code="75056").arrondissements.count() == 20


def test_command_refuses_unknown_departement():
    with pytest.raises(CommandError, match="Départements inconnus : 00"):
        call_command("load_territories", departements="00")
