"""data·inclusion v1 import and export: rows validated by the schema's own pydantic models."""

import json
import shutil

import pytest

from maillage.directory.enums import FeeKind
from maillage.directory.interop.datainclusion import parse_opening_hours
from maillage.directory.interop.services import directory_export, directory_import
from maillage.directory.models import Location, Service
from tests.directory.interop_helpers import DATA, canonical_dump, communes

pytestmark = pytest.mark.django_db
FOLDER = DATA / "datainclusion"


@pytest.fixture(autouse=True)
def _communes(db):
    communes()


def _copy(tmp_path, mutate=None, mutate_structures=None):
    folder = tmp_path / "di"
    shutil.copytree(FOLDER, folder)
    for name, change in (("services.json", mutate), ("structures.json", mutate_structures)):
        if change:
            data = json.loads((folder / name).read_text())
            change(data)
            (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_import_creates_structures_and_services():
    report = directory_import(format="datainclusion", path_or_files=FOLDER)

    assert report.errors == []
    assert (report.created, report.updated, report.organisations_created) == (2, 0, 2)
    aid = Service.objects.get(source="cd21", source_id="cd21--aide-alimentaire")
    assert aid.organisation.name.startswith("Épicerie solidaire")
    assert aid.fee_kind == FeeKind.FREE and aid.by_phone and aid.on_referral_only and not aid.walk_in
    assert set(aid.terms.values_list("taxonomy__slug", "code")) == {
        ("di-thematiques", "equipement-et-alimentation--alimentation"),
        ("di-types-de-services", "aide-materielle"),
        ("di-publics", "tous-publics"),
    }
    assert aid.locations.get().commune.code == "21054"
    assert aid.regular_schedules.count() == 10  # Mo-Fr, two spans a day; « PH off » left aside
    assert aid.contacts.count() == 1 and aid.phones.get().number == "03 80 22 00 00"
    rights = Service.objects.get(source_id="cd21--acces-droits")
    assert list(rights.communes_served.values_list("code", flat=True)) == ["21231"]  # « 21 » (département) left aside
    assert rights.organisation.siret == "21210231400011"


def test_reimport_updates_in_place():
    directory_import(format="datainclusion", path_or_files=FOLDER)
    ids = set(Service.objects.values_list("pk", flat=True))

    report = directory_import(format="datainclusion", path_or_files=FOLDER)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)  # the same file: nothing to write
    assert set(Service.objects.values_list("pk", flat=True)) == ids
    assert Location.objects.count() == 2


def test_round_trip_import_export_reimport_gives_the_same_directory(tmp_path):
    directory_import(format="datainclusion", path_or_files=FOLDER)
    before, ids = canonical_dump("cd21"), set(Service.objects.values_list("pk", flat=True))
    for name, content in directory_export(format="datainclusion", include_named_contacts=True).items():
        (tmp_path / name).write_bytes(content)

    report = directory_import(format="datainclusion", path_or_files=tmp_path)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert set(Service.objects.values_list("pk", flat=True)) == ids
    assert canonical_dump("cd21") == before


def test_round_trip_into_a_new_source_rebuilds_the_same_services(tmp_path):
    directory_import(format="datainclusion", path_or_files=FOLDER)
    before = canonical_dump("cd21")
    files = directory_export(format="datainclusion", include_named_contacts=True)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content.replace(b'"cd21"', b'"copie"'))

    report = directory_import(format="datainclusion", path_or_files=tmp_path)

    assert report.errors == [] and report.created == 2
    assert canonical_dump("copie") == before


def test_export_rows_pass_the_schema():
    from data_inclusion.schema import v1 as di

    directory_import(format="datainclusion", path_or_files=FOLDER)
    files = directory_export(format="datainclusion", include_named_contacts=True)

    for row in json.loads(files["services.json"]):
        di.Service.model_validate(row)
    for row in json.loads(files["structures.json"]):
        di.Structure.model_validate(row)


def test_invalid_rows_are_reported_in_french_and_nothing_is_written(tmp_path):
    def mutate(data):
        del data[0]["nom"]
        data[0]["thematiques"] = ["se-teleporter"]
        data[1]["code_insee"] = "99999"
        data[1]["date_maj"] = "2999-01-01"
        data.append({**data[1], "id": "cd21--bon", "code_insee": "21231", "date_maj": "2025-01-01"})

    report = directory_import(format="datainclusion", path_or_files=_copy(tmp_path, mutate))

    found = {(e.file, e.position, e.field): e.message for e in report.errors}
    assert found == {
        ("services.json", "élément 0", "nom"): "Champ obligatoire.",
        (
            "services.json",
            "élément 0",
            "thematiques.0",
        ): "Valeur « se-teleporter » inconnue du vocabulaire data·inclusion.",
        ("services.json", "élément 1", "date_maj"): "La date de dernière modification ne peut pas être dans le futur.",
    }
    assert not Service.objects.exists()


def test_unknown_commune_is_rejected(tmp_path):
    def mutate(data):
        data[1]["code_insee"] = "99999"

    report = directory_import(format="datainclusion", path_or_files=_copy(tmp_path, mutate))

    (error,) = report.errors
    assert (error.position, error.field) == ("élément 1", "code_insee")
    assert "« 99999 » n'existe pas" in error.message
    assert not Service.objects.exists()


def test_malformed_json_is_refused(tmp_path):
    folder = _copy(tmp_path)
    (folder / "services.json").write_text("[{", encoding="utf-8")

    report = directory_import(format="datainclusion", path_or_files=folder)

    assert report.errors[0].message.startswith("Le fichier « services.json » n'est pas un JSON valide")


def test_missing_services_file_is_refused(tmp_path):
    report = directory_import(format="datainclusion", path_or_files=FOLDER / "structures.json")

    assert "services.json" in report.errors[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo-Fr 09:00-12:00", [(d, "09:00", "12:00") for d in range(5)]),
        ("Tu,Th 14:00-17:00; PH off", [(1, "14:00", "17:00"), (3, "14:00", "17:00")]),
        ("Sa 9:00-12:00,14:00-16:30", [(5, "09:00", "12:00"), (5, "14:00", "16:30")]),
        ("sunrise-sunset", None),
    ],
)
def test_parse_opening_hours(text, expected):
    assert parse_opening_hours(text) == expected
