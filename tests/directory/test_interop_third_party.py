"""Files from other producers (issue 11, point 17): an HSDS 3 bundle shaped like Open Referral's
own examples and an HSDS API page, a CSV package written with a French spreadsheet, and a
data·inclusion API page. None carries an INSEE code for its places; their taxonomies are named
their producers' way. Communes are the real ones (Ille-et-Vilaine and Paris, from the territory
extract Maillage ships)."""

import json
import math
import shutil
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.territories import load_territories, read_extract
from maillage.directory.enums import AccessibilityFeature, ServiceStatus
from maillage.directory.interop.services import directory_import
from maillage.directory.models import ImportJob, Location, Service
from tests.conftest import run_task_worker
from tests.directory.interop_helpers import DATA

pytestmark = pytest.mark.django_db
THIRD_PARTY = DATA / "third_party"
BUNDLE = THIRD_PARTY / "hsds_full_ille_et_vilaine.json"
CSV_PACKAGE = THIRD_PARTY / "hsds_csv_tableur"
DI_API = THIRD_PARTY / "datainclusion_api"


@pytest.fixture(scope="module")
def extract():
    return read_extract()


@pytest.fixture
def territory(extract):
    load_territories(extract, departement_codes={"35", "75"})


def _service(name):
    return Service.objects.get(name=name)


def _place(name):
    return _service(name).locations.get()


def _bundle(tmp_path, mutate):
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    mutate(data["contents"])
    path = tmp_path / "services.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _di(tmp_path, mutate=None, mutate_structures=None):
    folder = tmp_path / "di"
    shutil.copytree(DI_API, folder)
    for name, change in (("services.json", mutate), ("structures.json", mutate_structures)):
        if change:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
            change(data)
            (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def _nothing_written():
    assert not Service.objects.exists()
    assert not Location.objects.exists()


# --- HSDS 3 -----------------------------------------------------------------------------------------


def test_hsds_bundle_of_another_producer_imports_with_communes_from_postal_code_and_city(territory):
    report = directory_import(format="hsds", path_or_files=BUNDLE, source="reseau-35")

    assert report.errors == []
    assert report.created == 6
    epicerie = _place("Épicerie sociale du Blosne")
    # The physical address, not the postal one (CS 20712, 35207 RENNES CEDEX 2) listed first.
    assert (epicerie.commune.code, epicerie.address, epicerie.postal_code) == (
        "35238",
        "7 boulevard de Yougoslavie",
        "35200",
    )
    assert epicerie.latitude == Decimal("48.087300")
    transport = _place("Transport solidaire")
    assert transport.commune.name == "Saint-Aubin-du-Cormier"  # « ST AUBIN DU CORMIER »
    assert (transport.latitude, transport.longitude) == (Decimal("48.221100"), Decimal("-1.409300"))  # « 48,2211 »
    paris = _place("Permanence d'accès aux droits — Paris 15e")
    assert (paris.commune.code, paris.postal_code) == ("75056", "75015")  # the commune, not the arrondissement
    assert _place("Point conseil budget").commune.code == "35294"  # « Ste-Marie », 35600 (not the 8 homonyms)
    assert _place("Portage de livres à domicile").postal_code == "35830"  # « 35 830 »
    assert _service("Point conseil budget").status == ServiceStatus.DRAFT  # temporarily closed
    # Free-text accessibility (HSDS): the features it names; negated or unknown ones left aside.
    assert set(_service("Épicerie sociale du Blosne").accessibility.values_list("feature", flat=True)) == {
        AccessibilityFeature.STEP_FREE,
        AccessibilityFeature.HEARING_LOOP,
    }
    transport_service = _service("Transport solidaire")
    assert not transport_service.accessibility.exists()  # « sans ascenseur »
    assert transport_service.url == "https://www.familles-rurales-liffre.example.org"  # « www.… »
    assert transport_service.contacts.get().name == "Accueil"  # no name: its title
    assert list(transport_service.languages.values_list("code", flat=True)) == ["fr"]  # « Français », no code
    online = _service("Écoute téléphonique des aidants")  # a virtual location: no place, its hours kept
    assert not online.locations.exists()
    assert [str(s) for s in online.regular_schedules.all()] == ["Samedi 10:00–12:00"]


def test_hsds_terms_are_matched_by_the_vocabulary_name_uri_code_or_name(territory):
    report = directory_import(format="hsds", path_or_files=BUNDLE, source="reseau-35")

    def terms(name):
        return set(_service(name).terms.values_list("taxonomy__slug", "code"))

    assert terms("Épicerie sociale du Blosne") == {
        ("di-thematiques", "equipement-et-alimentation--alimentation"),  # taxonomy = the schema's URI
        ("di-thematiques", "equipement-et-alimentation--habillement"),  # no code: its name, « data.inclusion »
    }
    assert terms("Transport solidaire") == {
        ("di-thematiques", "mobilite--mobilite-douce-partagee-collective"),  # « thematiques-dora »
        ("di-publics", "seniors"),  # « Publics (data·inclusion) », not Maillage's own « publics »
    }
    assert terms("Permanence d'accès aux droits — Paris 15e") == {
        ("di-thematiques", "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits")
    }  # no taxonomy, no code: the term's URI
    warnings = {(w.position, w.field): w.message for w in report.warnings if w.field == "taxonomy_term.code"}
    assert warnings == {
        ("élément 0.attributes[2]", "taxonomy_term.code"): (
            "Terme « Food Pantries » (BD-1800.2000) de la taxonomie « AIRS/211 Taxonomy », inconnue de Maillage : "
            "ignoré."
        ),
        ("élément 1.attributes[1]", "taxonomy_term.code"): (
            "Terme « Aide à la réparation de véhicule » (mobilite--aide-reparation-vehicule) absent de la "
            "taxonomie « di-thematiques » de Maillage : ignoré."
        ),
    }


def test_hsds_ambiguous_unknown_or_out_of_range_places_refuse_the_file_and_each_is_named(territory, tmp_path):
    def mutate(services):
        address = services[4]["service_at_locations"][0]["location"]["addresses"][0]
        address.update(city="Saint-Aubin", postal_code="35999")
        address = services[5]["service_at_locations"][0]["location"]["addresses"][0]
        address.update(city="Paris", postal_code="35000")
        services[1]["service_at_locations"][0]["location"]["latitude"] = 512
        address = services[2]["service_at_locations"][0]["location"]["addresses"][0]
        address.update(city="Nulle-Part-sur-Mer", postal_code="99999")
        # Only the postal address left: a CEDEX code, the city name decides (no error).
        services[0]["service_at_locations"][0]["location"]["addresses"].pop()

    report = directory_import(format="hsds", path_or_files=_bundle(tmp_path, mutate))

    found = {(e.position, e.field): e.message for e in report.errors}
    assert found == {
        ("élément 4.service_at_locations[0].location", "addresses.city"): (
            "« Saint-Aubin » : 3 communes portent ce nom (Saint-Aubin-d'Aubigné (35251), Saint-Aubin-des-Landes "
            "(35252), Saint-Aubin-du-Cormier (35253)), le code postal 35999 ne les départage pas."
        ),
        ("élément 5.service_at_locations[0].location", "addresses.postal_code"): (
            "« 35000 Paris » : le code postal 35000 est celui de Rennes (35238), pas de Paris (75056)."
        ),
        ("élément 1.service_at_locations[0].location", "latitude"): (
            "La latitude « 512 » est hors des bornes [-90, 90] (degrés décimaux WGS 84)."
        ),
        ("élément 2.service_at_locations[0].location", "addresses.city"): (
            "« 99999 Nulle-Part-sur-Mer » : commune inconnue (ou son département n'est pas chargé dans Maillage)."
        ),
    }
    _nothing_written()


def test_hsds_place_in_a_departement_not_loaded_is_unknown(extract):
    load_territories(extract, departement_codes={"35"})

    report = directory_import(format="hsds", path_or_files=BUNDLE)

    ((position, field, message),) = [(e.position, e.field, e.message) for e in report.errors]
    assert (position, field) == ("élément 2.service_at_locations[0].location", "addresses.city")
    assert message.startswith("« 75015 Paris 15e » : commune inconnue")
    _nothing_written()


def test_hsds_csv_package_from_a_spreadsheet_imports(territory):
    report = directory_import(format="hsds", path_or_files=CSV_PACKAGE, source="tableur")

    assert report.errors == []
    assert report.created == 2
    cantine = _service("Restaurant seniors")
    place = cantine.locations.get()
    assert (place.commune.code, place.postal_code, place.latitude) == ("35024", "35830", Decimal("48.181000"))
    assert set(cantine.terms.values_list("taxonomy__slug", "code")) == {
        ("besoins-essentiels", "se-nourrir"),  # « Les dix besoins essentiels », by the term's name
        ("di-thematiques", "equipement-et-alimentation--alimentation"),
    }
    club = _service("Club informatique")
    assert club.locations.get().commune.code == "35238"  # « RENNES CEDEX »
    # Hours given by service_at_location_id only (no service_id), as HSDS 3 allows.
    assert [str(s) for s in club.regular_schedules.all()] == ["Mercredi 14:00–16:00"]
    assert club.regular_schedules.get().location == club.locations.get()
    assert [w.message for w in report.warnings] == [
        "Terme « Jardinage » (JARD) de la taxonomie « Loisirs du Pays de Liffré », inconnue de Maillage : ignoré."
    ]


# --- data·inclusion -----------------------------------------------------------------------------------


def test_datainclusion_api_page_without_insee_codes_imports(territory):
    report = directory_import(format="datainclusion", path_or_files=DI_API)

    assert report.errors == []
    assert (report.created, report.organisations_created) == (3, 2)
    assert _place("Aide aux démarches en ligne").commune.code == "35288"  # « SAINT-MALO CEDEX », 35401
    assert _place("Distribution alimentaire").commune.code == "35238"
    assert not _service("Permanence téléphonique").locations.exists()  # « a-distance », no address


def test_datainclusion_coordinates_out_of_bounds_are_refused_with_the_value(territory, tmp_path):
    def mutate(data):
        data["items"][0]["latitude"] = 512
        data["items"][1]["longitude"] = -200.5
        data["items"][2]["latitude"] = "91"
        data["items"][2]["volume_horaire_hebdomadaire"] = -3
        data["items"][2]["nombre_semaines"] = 0

    def mutate_structures(data):
        data[0]["longitude"] = 1e400  # JSON numbers too large for a float become infinity

    report = directory_import(format="datainclusion", path_or_files=_di(tmp_path, mutate, mutate_structures))

    found = {(e.file, e.position, e.field): e.message for e in report.errors}
    assert found == {
        ("services.json", "élément 0", "latitude"): (
            "La latitude « 512 » est hors des bornes [-90, 90] (degrés décimaux WGS 84)."
        ),
        ("services.json", "élément 1", "longitude"): (
            "La longitude « -200.5 » est hors des bornes [-180, 180] (degrés décimaux WGS 84)."
        ),
        ("services.json", "élément 2", "latitude"): (
            "La latitude « 91 » est hors des bornes [-90, 90] (degrés décimaux WGS 84)."
        ),
        ("services.json", "élément 2", "volume_horaire_hebdomadaire"): "« -3 » : doit être supérieur ou égal à 0.",
        ("services.json", "élément 2", "nombre_semaines"): "« 0 » : doit être supérieur ou égal à 1.",
        ("structures.json", "élément 0", "longitude"): (
            "La longitude « inf » est hors des bornes [-180, 180] (degrés décimaux WGS 84)."
        ),
    }
    _nothing_written()


def test_datainclusion_not_a_number_coordinate_is_refused(territory, tmp_path):
    folder = _di(tmp_path)
    text = (folder / "services.json").read_text(encoding="utf-8")
    (folder / "services.json").write_text(text.replace('"latitude": 48.1061', '"latitude": NaN'), encoding="utf-8")
    assert math.isnan(json.loads((folder / "services.json").read_text())["items"][1]["latitude"])

    report = directory_import(format="datainclusion", path_or_files=folder)

    ((field, message),) = [(e.field, e.message) for e in report.errors]
    assert field == "latitude" and "« nan » est hors des bornes" in message
    _nothing_written()


def test_datainclusion_ambiguous_commune_is_refused_under_its_own_field_names(territory, tmp_path):
    def mutate(data):
        data["items"][1].update(commune="Saint-Aubin", code_postal="35999")

    report = directory_import(format="datainclusion", path_or_files=_di(tmp_path, mutate))

    ((position, field, message),) = [(e.position, e.field, e.message) for e in report.errors]
    assert (position, field) == ("élément 1", "commune")
    assert message.startswith("« Saint-Aubin » : 3 communes portent ce nom")
    _nothing_written()


def test_hsds_address_without_postal_code_uses_the_departement_it_names(territory, tmp_path):
    def mutate(services):
        address = services[4]["service_at_locations"][0]["location"]["addresses"][0]
        address.update(city="Sainte-Marie", postal_code="", state_province="Ille-et-Vilaine")

    report = directory_import(format="hsds", path_or_files=_bundle(tmp_path, mutate))

    assert report.errors == []
    assert _place("Point conseil budget").commune.code == "35294"


def test_hsds_address_abroad_is_refused_naming_the_country(territory, tmp_path):
    def mutate(services):
        address = services[5]["service_at_locations"][0]["location"]["addresses"][0]
        address.update(country="US", city="MyCity", postal_code="ABC 1234")

    report = directory_import(format="hsds", path_or_files=_bundle(tmp_path, mutate))

    assert {(e.field, e.message.split(" :")[0]) for e in report.errors} == {
        ("addresses.country", "Pays « US »"),
        ("addresses.city", "« ABC 1234 MyCity »"),
        ("addresses.postal_code", "Assurez-vous que cette valeur comporte au plus 5 caractères (actuellement 7)."),
    }
    _nothing_written()


def test_hsds_what_maillage_cannot_keep_is_a_warning(territory):
    report = directory_import(format="hsds", path_or_files=BUNDLE)

    assert report.errors == []
    assert [(w.position, w.field, w.message) for w in report.warnings if w.field in ("description", "code")] == [
        ("élément 1.languages[1]", "code", "Langue « Gallo » sans code ISO 639 : ignorée."),
        (
            "élément 0.service_at_locations[0].location.accessibility[1]",
            "description",
            "Accessibilité « Chiens guides acceptés » : aucun aménagement connu de Maillage n'y est nommé, ignorée.",
        ),
        (
            "élément 1.service_at_locations[0].location.accessibility[0]",
            "description",
            "Accessibilité « Salle à l'étage, sans ascenseur » : aucun aménagement connu de Maillage n'y est "
            "nommé, ignorée.",
        ),
    ]


def test_summary_counts_what_was_left_aside(territory):
    report = directory_import(format="hsds", path_or_files=BUNDLE)

    assert report.summary() == "Import terminé : 6 services créés, 0 mis à jour ; 6 avertissements."
    assert len(report.summary()) <= 100  # ImportJob.stage


def test_hsds_term_referenced_but_not_described_is_a_warning(territory, tmp_path):
    def mutate(services):
        services[3]["attributes"] = [{"id": "x-1", "link_id": services[3]["id"], "taxonomy_term_id": "uuid-inconnu"}]

    report = directory_import(format="hsds", path_or_files=_bundle(tmp_path, mutate))

    assert report.errors == []
    assert [(w.position, w.field) for w in report.warnings if w.field == "taxonomy_term_id"] == [
        ("élément 3.attributes[0]", "taxonomy_term_id")
    ]
    assert not _service("Écoute téléphonique des aidants").terms.exists()


def test_hsds_place_described_in_the_organization_only_is_found(territory, tmp_path):
    def mutate(services):
        link = services[5]["service_at_locations"][0]
        place = link.pop("location")
        link["location_id"] = place["id"]
        services[5]["organization"]["locations"] = [place]

    report = directory_import(format="hsds", path_or_files=_bundle(tmp_path, mutate))

    assert report.errors == []
    assert _place("Portage de livres à domicile").commune.code == "35024"


def test_hsds_single_service_object_and_organization_with_its_services_are_read(territory, tmp_path):
    services = json.loads(BUNDLE.read_text(encoding="utf-8"))["contents"]
    single = tmp_path / "un" / "service.json"
    single.parent.mkdir()
    single.write_text(json.dumps(services[5], ensure_ascii=False), encoding="utf-8")
    organisation = {**services[1]["organization"], "services": []}
    for service in services[3:6]:
        organisation["services"].append({k: v for k, v in service.items() if k != "organization"})
    full = tmp_path / "organisation" / "organization.json"
    full.parent.mkdir()
    full.write_text(json.dumps(organisation, ensure_ascii=False), encoding="utf-8")

    assert directory_import(format="hsds", path_or_files=single, source="un").errors == []
    report = directory_import(format="hsds", path_or_files=full, source="organisation")

    assert report.errors == [] and report.created == 3
    assert {s.organisation.name for s in Service.objects.filter(source="organisation")} == {
        "Familles rurales du Pays de Liffré"
    }


def test_hsds_numbers_out_of_bounds_are_refused_with_the_number(territory, tmp_path):
    def mutate(services):
        services[0]["minimum_age"] = 512
        services[1]["maximum_age"] = -3

    report = directory_import(format="hsds", path_or_files=_bundle(tmp_path, mutate))

    assert {(e.position, e.field): e.message for e in report.errors} == {
        ("élément 0", "minimum_age"): "Assurez-vous que la valeur « 512 » est inférieure ou égale à 130.",
        ("élément 1", "maximum_age"): "Assurez-vous que la valeur « -3 » est supérieure ou égale à 0.",
    }
    _nothing_written()


def test_hsds_csv_unknown_address_is_reported_at_its_line_of_addresses_csv(territory, tmp_path):
    folder = tmp_path / "paquet"
    shutil.copytree(CSV_PACKAGE, folder)
    text = (folder / "addresses.csv").read_text(encoding="utf-8").replace(";RENNES CEDEX;", ";Saint-Aubin;")
    (folder / "addresses.csv").write_text(text.replace(";35043;", ";35999;"), encoding="utf-8")

    report = directory_import(format="hsds", path_or_files=folder)

    ((file, position, field, message),) = [(e.file, e.position, e.field, e.message) for e in report.errors]
    assert (file, position, field) == ("addresses.csv", "ligne 3", "addresses.city")
    assert message.startswith("« Saint-Aubin » : 3 communes portent ce nom")
    _nothing_written()


def test_datainclusion_arrondissement_code_is_read_as_its_commune(territory, tmp_path):
    def mutate(data):
        data["items"][1].update(code_insee="75115", commune="Paris", code_postal="75015")

    report = directory_import(format="datainclusion", path_or_files=_di(tmp_path, mutate))

    assert report.errors == []
    place = _place("Distribution alimentaire")
    assert (place.commune.code, place.postal_code) == ("75056", "75015")


# --- The command and the staff page -----------------------------------------------------------------


def test_command_imports_a_third_party_bundle(territory, capsys):
    call_command("import_directory", "--format", "hsds", "--source", "reseau-35", str(BUNDLE))

    assert "6 services créés, 0 mis à jour ; 6 avertissements." in capsys.readouterr().out


def test_staff_page_imports_a_third_party_bundle(territory, member_client):
    client, membership = member_client(role=Role.COORDINATOR)

    response = client.post(
        reverse("directory:interop"),
        {"format": "hsds", "source": "reseau-35", "file": SimpleUploadedFile("services.json", BUNDLE.read_bytes())},
    )
    run_task_worker()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.created == 6
    assert set(Service.objects.values_list("organisation", flat=True)) == {membership.organisation.pk}
    assert "6 avertissements" in client.get(response.url).content.decode()


def test_hsds_csv_files_named_after_the_objects_are_read(territory, tmp_path):
    folder = tmp_path / "singulier"
    folder.mkdir()
    singular = {"organizations": "organization", "addresses": "address", "taxonomies": "taxonomy"}
    for path in CSV_PACKAGE.iterdir():
        stem = path.stem
        name = singular.get(stem, stem[:-1] if stem.endswith("s") else stem)
        (folder / f"{name}.csv").write_bytes(path.read_bytes())

    report = directory_import(format="hsds", path_or_files=folder)

    assert report.errors == []
    assert report.created == 2
    assert _place("Restaurant seniors").commune.code == "35024"


@pytest.mark.parametrize(
    ("created", "unchanged", "warnings", "expected"),
    [
        (1, 0, 1, "Import terminé : 1 service créé, 0 mis à jour ; 1 avertissement."),
        (0, 1, 0, "Import terminé : 0 service créé, 0 mis à jour, 1 inchangé."),
        (2, 3, 2, "Import terminé : 2 services créés, 0 mis à jour, 3 inchangés ; 2 avertissements."),
    ],
)
def test_the_import_summary_agrees_its_words_with_the_numbers(created, unchanged, warnings, expected):
    from maillage.directory.interop.report import ImportReport

    report = ImportReport()
    report.created, report.unchanged = created, unchanged
    for _ in range(warnings):
        report.warn("f.json", "1", "name", "À vérifier.")
    assert report.summary() == expected
