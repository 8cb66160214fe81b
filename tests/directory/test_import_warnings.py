"""What a third party's import leaves aside or guesses is listed (issue 11, point 17): service areas
without INSEE code (HSDS has none) read as communes or kept as text, a commune found from the city's
name alone, on the import page and in the command's output."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from maillage.core.enums import Role
from maillage.directory.interop.services import directory_import
from maillage.directory.models import ImportJob, Service
from tests.conftest import run_task_worker
from tests.directory.test_interop_third_party import BUNDLE, _bundle, extract, territory  # noqa: F401

pytestmark = pytest.mark.django_db


def _areas(*areas):
    def mutate(contents):
        contents[1]["service_areas"] = list(areas)

    return mutate


def test_service_areas_without_insee_code_become_communes_or_text(territory, tmp_path):  # noqa: F811
    path = _bundle(
        tmp_path,
        _areas(
            {"id": "a1", "name": "Saint-Malo"},
            {"id": "a2", "name": None, "extent": "35830", "extent_type": "text"},
            {"id": "a3", "name": "Ille-et-Vilaine"},
            {"id": "a4", "name": "Pays de Brocéliande et alentours"},
        ),
    )

    report = directory_import(format="hsds", path_or_files=path, source="reseau-35")

    assert report.errors == []
    service = Service.objects.get(name="Transport solidaire")
    names = set(service.communes_served.values_list("name", flat=True))
    assert {"Saint-Malo", "Betton", "Rennes", "Fougères"} <= names
    assert len(names) > 300  # the whole département
    assert service.area_description == "Pays de Brocéliande et alentours"
    messages = {w.position.rsplit(".", 1)[-1]: w.message for w in report.warnings if "service_areas" in w.position}
    assert messages == {
        "service_areas[0]": "Zone desservie « Saint-Malo » : commune trouvée par son seul nom (Saint-Malo), "
        "à vérifier.",
        "service_areas[1]": "Zone desservie « 35830 » : lue comme les communes du code postal (Betton).",
        "service_areas[2]": messages["service_areas[2]"],
        "service_areas[3]": "Zone desservie « Pays de Brocéliande et alentours » : aucune commune reconnue ; gardée "
        "comme texte dans les précisions sur la zone desservie.",
    }
    assert messages["service_areas[2]"].startswith("Zone desservie « Ille-et-Vilaine » : lue comme le département (")


def test_a_commune_found_by_the_city_name_alone_is_a_warning(territory, tmp_path):  # noqa: F811
    def mutate(contents):
        address = contents[5]["service_at_locations"][0]["location"]["addresses"][0]
        address["postal_code"] = None

    report = directory_import(format="hsds", path_or_files=_bundle(tmp_path, mutate))

    assert report.errors == []
    assert Service.objects.get(name="Portage de livres à domicile").locations.get().commune.name == "Betton"
    assert any(
        w.message == "« Betton » : commune trouvée par le seul nom de la ville sans code postal (Betton) ; à vérifier."
        for w in report.warnings
    ), report.warnings


def test_command_lists_the_warnings(territory, capsys):  # noqa: F811
    call_command("import_directory", "--format", "hsds", "--source", "reseau-35", str(BUNDLE))

    out = capsys.readouterr().out
    assert "6 avertissements : ce qui a été laissé de côté ou déduit, à vérifier." in out
    assert "Avertissement : hsds_full_ille_et_vilaine.json, élément 0.service_areas[0] — champ « name » : Zone " in out
    assert "lue comme l'intercommunalité (43 communes)." in out


def test_staff_page_keeps_and_lists_the_warnings(territory, member_client):  # noqa: F811
    client, _ = member_client(role=Role.COORDINATOR)
    response = client.post(
        reverse("directory:interop"),
        {"format": "hsds", "source": "reseau-35", "file": SimpleUploadedFile("services.json", BUNDLE.read_bytes())},
    )
    run_task_worker()

    job = ImportJob.objects.get()
    assert len(job.warnings) == 6
    messages = [w["message"] for w in job.warnings]
    assert "Zone desservie « Rennes Métropole » : lue comme l'intercommunalité (43 communes)." in messages
    content = client.get(response.url).content.decode()
    assert "À vérifier : 6 avertissements" in content
    assert "Zone desservie « Rennes Métropole » : lue comme l&#x27;intercommunalité (43 communes)." in content
