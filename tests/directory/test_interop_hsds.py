"""Open Referral HSDS 3 import and export: nested JSON, one JSON per table, the CSV package."""

import json
import shutil

import pytest

from maillage.core.models import Organisation
from maillage.directory.enums import AccessibilityFeature, FeeKind, ServiceStatus
from maillage.directory.interop.services import directory_export, directory_import
from maillage.directory.models import ImportedOrganisationRef, Location, Service
from maillage.directory.search import document_text
from tests.core.factories import OrganisationFactory
from tests.directory.interop_helpers import DATA, canonical_dump, communes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _communes(db):
    communes()


def test_import_nested_json_creates_the_directory():
    report = directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")

    assert report.errors == []
    assert (report.created, report.updated) == (3, 0)
    portage = Service.objects.get(source="hsds", source_id="svc-portage")
    assert portage.organisation.siret == "21210231400011"
    assert portage.status == ServiceStatus.PUBLISHED
    assert portage.fee_kind == FeeKind.MEANS_TESTED
    assert portage.age_min == 60 and portage.by_phone and portage.by_appointment and not portage.walk_in
    assert portage.phones.get().number == "03 80 44 81 00"
    assert portage.contacts.count() == 1
    assert [str(s) for s in portage.regular_schedules.all()] == [
        f"{day} 09:00–12:00" for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi")
    ]
    assert portage.schedule_exceptions.get().description == "Fermeture estivale"
    assert set(portage.terms.values_list("code", flat=True)) == {"se-nourrir", "personnes-agees"}
    assert list(portage.communes_served.values_list("code", flat=True)) == ["21231"]
    assert portage.locations.get().commune.code == "21231"
    assert list(portage.accessibility.values_list("feature", flat=True)) == [AccessibilityFeature.STEP_FREE]
    assert portage.search_text == document_text(portage)
    visites = Service.objects.get(source_id="svc-visites")
    assert visites.status == ServiceStatus.DRAFT and visites.on_referral_only
    assert set(visites.languages.values_list("code", flat=True)) == {"fr", "fsl"}
    assert visites.organisation.kind == "other"
    assert Organisation.objects.count() == 2
    assert Location.objects.count() == 2


def test_import_csv_package_gives_the_same_directory_as_nested_json():
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json", source="json")

    report = directory_import(format="hsds", path_or_files=DATA / "hsds_csv", source="csv")

    assert report.errors == []
    assert report.created == 3
    assert canonical_dump("csv") == canonical_dump("json")


def test_import_matches_an_existing_organisation_by_siret():
    existing = OrganisationFactory(siret="21210231400011", name="CCAS de Dijon (déjà là)")

    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")

    assert Service.objects.get(source_id="svc-portage").organisation == existing
    existing.refresh_from_db()
    assert existing.name == "CCAS de Dijon (déjà là)"  # an organisation the import did not create is not renamed
    assert not ImportedOrganisationRef.objects.get(source_id="org-ccas-dijon").owned


def test_reimport_updates_in_place_without_duplicates(tmp_path):
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")
    ids = set(Service.objects.values_list("pk", flat=True))
    data = json.loads((DATA / "hsds_services.json").read_text())
    data[0]["name"] = "Portage de repas (nouveau nom)"
    data[0]["phones"] = []
    changed = tmp_path / "services.json"
    changed.write_text(json.dumps(data), encoding="utf-8")

    report = directory_import(format="hsds", path_or_files=changed)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert set(Service.objects.values_list("pk", flat=True)) == ids
    portage = Service.objects.get(source_id="svc-portage")
    assert portage.name == "Portage de repas (nouveau nom)"
    assert not portage.phones.exists()
    assert Organisation.objects.count() == 2 and Location.objects.count() == 2


@pytest.mark.parametrize("export_format", ["hsds-json", "hsds-csv"])
def test_round_trip_import_export_reimport_gives_the_same_directory(tmp_path, export_format):
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")
    before = canonical_dump("hsds")
    folder = tmp_path / "export"
    folder.mkdir()
    for name, content in directory_export(
        format=export_format, include_drafts=True, include_named_contacts=True
    ).items():
        (folder / name).write_bytes(content)

    # Under another source name, the re-import must rebuild everything from what the export carried.
    report = directory_import(format="hsds", path_or_files=folder, source="copie")

    assert report.errors == []
    assert report.created == 3
    assert canonical_dump("copie") == before


def test_round_trip_updates_in_place(tmp_path):
    directory_import(format="hsds", path_or_files=DATA / "hsds_services.json")
    before, ids = canonical_dump(), set(Service.objects.values_list("pk", flat=True))
    (tmp_path / "services.json").write_bytes(
        directory_export(format="hsds-json", include_drafts=True, include_named_contacts=True)["services.json"]
    )

    report = directory_import(format="hsds", path_or_files=tmp_path / "services.json")

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert set(Service.objects.values_list("pk", flat=True)) == ids
    assert canonical_dump() == before


def test_json_one_file_per_table(tmp_path):
    import csv

    for path in (DATA / "hsds_csv").iterdir():
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        (tmp_path / f"{path.stem}.json").write_text(json.dumps(rows), encoding="utf-8")

    report = directory_import(format="hsds", path_or_files=tmp_path)

    assert report.errors == [] and report.created == 3


def test_zip_of_the_csv_package(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "paquet"), "zip", DATA / "hsds_csv")

    report = directory_import(format="hsds", path_or_files=archive)

    assert report.errors == [] and report.created == 3


# --- Bad input: nothing written, every rejected row reported ------------------------------------


def _nested(tmp_path, mutate):
    data = json.loads((DATA / "hsds_services.json").read_text())
    mutate(data)
    path = tmp_path / "services.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _assert_nothing_written():
    assert not Service.objects.exists()
    assert not Location.objects.exists()
    assert not Organisation.objects.exists()


def test_missing_required_field_is_reported(tmp_path):
    def mutate(data):
        data[1]["name"] = ""
        del data[2]["status"]

    report = directory_import(format="hsds", path_or_files=_nested(tmp_path, mutate))

    assert [(e.position, e.field) for e in report.errors] == [("élément 2", "status"), ("élément 1", "name")] or {
        (e.position, e.field) for e in report.errors
    } == {("élément 1", "name"), ("élément 2", "status")}
    assert all(e.file == "services.json" for e in report.errors)
    _assert_nothing_written()


def test_unknown_taxonomy_code_is_rejected(tmp_path):
    def mutate(data):
        data[0]["attributes"][0]["taxonomy_term"]["code"] = "se-teleporter"

    report = directory_import(format="hsds", path_or_files=_nested(tmp_path, mutate))

    (error,) = report.errors
    assert error.position == "élément 0.attributes[0]"
    assert error.field == "taxonomy_term.code"
    assert "« se-teleporter » n'existe pas dans la taxonomie « besoins-essentiels »" in error.message
    _assert_nothing_written()


def test_unknown_commune_is_rejected(tmp_path):
    def mutate(data):
        data[2]["service_at_locations"][0]["location"]["addresses"][0]["code_insee"] = "99999"
        data[1]["service_areas"][1]["code_insee"] = "21999"

    report = directory_import(format="hsds", path_or_files=_nested(tmp_path, mutate))

    assert {(e.position, e.field) for e in report.errors} == {
        ("élément 2.service_at_locations[0].location", "addresses.code_insee"),
        ("élément 1.service_areas[1]", "code_insee"),
    }
    assert any("« 99999 » n'existe pas" in e.message for e in report.errors)
    _assert_nothing_written()


def test_one_bad_row_among_good_ones_writes_nothing_and_reports_every_bad_row(tmp_path):
    services = (DATA / "hsds_csv" / "services.csv").read_text(encoding="utf-8").splitlines()
    services[1] = services[1].replace(",60,", ",soixante,")
    services[3] = services[3].replace(",inactive,", ",ferme,")
    folder = tmp_path / "paquet"
    shutil.copytree(DATA / "hsds_csv", folder)
    (folder / "services.csv").write_text("\n".join(services) + "\n", encoding="utf-8")
    schedules = (folder / "schedules.csv").read_text(encoding="utf-8").replace("14:00,17:00", "17:00,14:00")
    (folder / "schedules.csv").write_text(schedules, encoding="utf-8")

    report = directory_import(format="hsds", path_or_files=folder)

    assert {(e.file, e.position, e.field) for e in report.errors} == {
        ("services.csv", "ligne 2", "minimum_age"),
        ("services.csv", "ligne 4", "status"),
        ("schedules.csv", "ligne 4", "closes_at"),
    }
    assert any("nombre entier" in e.message for e in report.errors)
    _assert_nothing_written()


def test_malformed_json_is_refused(tmp_path):
    path = tmp_path / "services.json"
    path.write_text('[{"id": "x", "name": }', encoding="utf-8")

    report = directory_import(format="hsds", path_or_files=path)

    (error,) = report.errors
    assert "n'est pas un JSON valide (ligne 1" in error.message
    _assert_nothing_written()


def test_latin1_csv_is_refused(tmp_path):
    folder = tmp_path / "paquet"
    shutil.copytree(DATA / "hsds_csv", folder)
    text = (folder / "services.csv").read_text(encoding="utf-8")
    (folder / "services.csv").write_bytes(text.encode("latin-1"))

    report = directory_import(format="hsds", path_or_files=folder)

    (error,) = report.errors
    assert "« services.csv » n'est pas encodé en UTF-8 (caractère illisible ligne 2)" in error.message
    _assert_nothing_written()


def test_csv_without_a_required_column_is_refused(tmp_path):
    folder = tmp_path / "paquet"
    shutil.copytree(DATA / "hsds_csv", folder)
    lines = (folder / "services.csv").read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace(",status,", ",etat,")
    (folder / "services.csv").write_text("\n".join(lines), encoding="utf-8")

    report = directory_import(format="hsds", path_or_files=folder)

    assert report.errors[0].message == "Le fichier « services.csv » n'a pas la ou les colonnes obligatoires : status."


def test_service_of_an_unknown_organisation_is_rejected(tmp_path):
    def mutate(data):
        del data[0]["organization"]
        data[0]["organization_id"] = "org-inconnue"

    report = directory_import(format="hsds", path_or_files=_nested(tmp_path, mutate))

    (error,) = report.errors
    assert (error.position, error.field) == ("élément 0", "organization_id")
    _assert_nothing_written()
