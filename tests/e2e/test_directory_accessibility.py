"""Accessibility (axe-core in Chromium) of the directory's pages: staff search, public search with
its selection form, public detail, service form, the e-mail form, the API documentation, and the
import and export pages (the form, its errors, an import in progress, finished and refused)."""

import json

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from tests.conftest import run_task_worker
from tests.core.factories import CommuneFactory, MembershipFactory
from tests.directory.factories import (
    PhoneFactory,
    RegularScheduleFactory,
    ServiceAccessibilityFactory,
    ServiceFactory,
)
from tests.directory.interop_helpers import DATA, communes
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


@pytest.fixture
def meals():
    dijon = CommuneFactory(code="21231", name="Dijon")
    service = ServiceFactory(name="Portage de repas à domicile", commune=dijon, communes_served=[dijon])
    PhoneFactory(service=service)
    RegularScheduleFactory(service=service)
    ServiceAccessibilityFactory(service=service)
    ServiceFactory(name="Visites de convivialité", organisation=service.organisation)
    return service


def test_public_search_detail_and_send_pages(page, meals):
    page.goto("/annuaire/public/?q=repas")
    page.get_by_text("Portage de repas à domicile").first.wait_for()
    assert_accessible(page, "Annuaire public — résultats et sélection")
    page.locator(f"label[for=selection-{meals.pk}]").click()  # DSFR draws the box on the label
    assert page.get_by_label("Ajouter à la sélection : Portage de repas à domicile").is_checked()
    page.get_by_role("button", name="Envoyer la sélection par courriel").click()
    page.get_by_role("heading", name="Envoyer la sélection par courriel").wait_for()
    assert_accessible(page, "Envoyer la sélection par courriel")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_label("Adresse électronique du destinataire")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "Envoyer la sélection — erreurs")
    page.goto(f"/annuaire/public/services/{meals.pk}/")
    assert_accessible(page, "Annuaire public — fiche service")


def test_staff_search_and_service_form(page, login_as, meals):
    login_as(MembershipFactory(organisation=meals.organisation, role=Role.RECEPTION_AGENT).user)
    page.goto("/annuaire/recherche/?q=repas")
    page.get_by_text("Portage de repas à domicile").first.wait_for()
    assert_accessible(page, "Recherche dans l'annuaire (équipe)")
    page.goto("/annuaire/services/ajouter/")
    assert_accessible(page, "Ajouter un service")
    page.goto(f"/annuaire/services/{meals.pk}/modifier/")
    assert_accessible(page, "Modifier un service")


def test_api_documentation_page(page):
    page.goto("/api/v1/")
    page.get_by_role("heading", name="API de Maillage", level=1).wait_for()
    assert_accessible(page, "Documentation de l'API")


def test_import_export_pages_and_an_import_in_progress(page, login_as, tmp_path):
    communes()
    login_as(MembershipFactory(role=Role.COORDINATOR).user)
    page.goto("/annuaire/import-export/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importer et exporter")
    assert_accessible(page, "Import et export de l'annuaire")

    # The form refuses a wrong file, and says so where it is read.
    wrong = tmp_path / "services.xlsx"
    wrong.write_bytes(b"PK")
    page.get_by_label("Fichier à importer").set_input_files(str(wrong))
    page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_text("Seuls les fichiers .json, .csv et .zip sont acceptés.").last).to_be_visible()
    assert_accessible(page, "Import et export — erreur du formulaire")

    # A real upload: the import waits for the worker, the page follows it (htmx) until it is over.
    page.get_by_label("Format du fichier").select_option(label="Open Referral HSDS 3")
    page.get_by_label("Nom de la source").fill("reseau-essai")
    page.get_by_label("Fichier à importer").set_input_files(str(DATA / "hsds_services.json"))
    page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import « hsds_services.json »")
    expect(page.get_by_label("Avancement : 0 %")).to_be_visible()
    assert_accessible(page, "Import en attente")
    run_task_worker()
    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible(timeout=15_000)
    assert_accessible(page, "Import terminé")

    # A refused import: the errors, in a table.
    data = json.loads((DATA / "hsds_services.json").read_text())
    data[0]["attributes"][0]["taxonomy_term"]["code"] = "se-teleporter"
    refused = tmp_path / "refuse.json"
    refused.write_text(json.dumps(data))
    page.goto("/annuaire/import-export/")
    page.get_by_label("Fichier à importer").set_input_files(str(refused))
    page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import « refuse.json »")
    run_task_worker()
    expect(page.get_by_role("heading", name="Import refusé : rien n'a été enregistré")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("table")).to_be_visible()
    assert_accessible(page, "Import refusé, avec ses erreurs")

    page.goto("/annuaire/import-export/")
    expect(page.get_by_role("link", name="refuse.json")).to_be_visible()
    assert_accessible(page, "Import et export — derniers imports")
