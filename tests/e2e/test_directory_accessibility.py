"""Accessibility (axe-core in Chromium) of the directory's pages: staff search, public search with
its selection form, public detail, service form, the e-mail form and the API documentation."""

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from tests.core.factories import CommuneFactory, MembershipFactory
from tests.directory.factories import (
    PhoneFactory,
    RegularScheduleFactory,
    ServiceAccessibilityFactory,
    ServiceFactory,
)
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e


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
    page.get_by_role("heading", name="API de l'annuaire", level=1).wait_for()
    assert_accessible(page, "Documentation de l'API")
