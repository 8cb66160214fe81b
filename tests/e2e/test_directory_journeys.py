"""The directory's journeys in a real browser, as a newcomer would make them (directory issue, "done
when"): a reception agent finds « portage de repas » for a person of a given commune, keeps only
the services with step-free access, ticks services and prints the selection; a citizen does the same
on the public page without an account; the filters work with the keyboard alone; ticks survive a
change of results page.

The PDF is checked as a person would read it: its text (pdftotext, from poppler-utils) names the
services in plain French. With MAILLAGE_E2E_SCREENSHOTS=/some/folder, the result pages and the
PDF's first page (pdftoppm) are saved there, to look at.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from tests.core.factories import CommuneFactory, DepartementFactory, MembershipFactory, OrganisationFactory
from tests.directory.factories import (
    PhoneFactory,
    RegularScheduleFactory,
    ServiceAccessibilityFactory,
    ServiceFactory,
)
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

STEP_FREE = "Accès de plain-pied ou ascenseur"


@pytest.fixture
def meals():
    """Three meal delivery services: two in Dijon (one with step-free access), one in Beaune; and a
    service of another kind."""
    cote_dor = DepartementFactory(code="21", name="Côte-d'Or")
    dijon = CommuneFactory(code="21231", name="Dijon", departement=cote_dor)
    beaune = CommuneFactory(code="21054", name="Beaune", departement=cote_dor)
    ccas = OrganisationFactory(name="CCAS de Dijon")
    accessible = ServiceFactory(
        name="Portage de repas à domicile",
        organisation=ccas,
        description="Livraison de repas chauds à domicile pour les personnes âgées ou handicapées.",
        commune=dijon,
        communes_served=[dijon],
        fee_kind="means_tested",
    )
    PhoneFactory(service=accessible, number="03 80 11 22 33")
    for weekday in range(5):
        RegularScheduleFactory(service=accessible, weekday=weekday)
    ServiceAccessibilityFactory(service=accessible, feature="step_free")
    upstairs = ServiceFactory(
        name="Repas livrés Les Saveurs",
        description="Portage de repas à domicile, au premier étage sans ascenseur.",
        commune=dijon,
        communes_served=[dijon],
    )
    elsewhere = ServiceFactory(
        name="Portage de repas de la Côte", description="Portage de repas à domicile.", commune=beaune
    )
    ServiceAccessibilityFactory(service=elsewhere, feature="step_free")
    ServiceFactory(name="Visites de convivialité", organisation=ccas, commune=dijon)
    return {"accessible": accessible, "upstairs": upstairs, "elsewhere": elsewhere}


def screenshot(page, name: str) -> None:
    folder = os.environ.get("MAILLAGE_E2E_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True, timeout=30_000, caret="initial")


def results_count(page):
    return page.locator("#resultats [role=status]").first


def search_meals_in_dijon(page) -> None:
    """Type the words and the commune, then « Rechercher »; Dijon and its neighbours are found."""
    page.get_by_label("Rechercher", exact=False).first.fill("portage de repas")
    page.get_by_role("textbox", name=re.compile(r"^Commune")).fill("dijon")  # its name, as people know it
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=portage(\+|%20)de(\+|%20)repas&commune=dijon"))
    expect(page.get_by_role("link", name="Portage de repas à domicile", exact=True)).to_be_visible()


def filter_step_free(page, meals) -> None:
    """Only the commune, then only step-free access: the service upstairs and the one in Beaune go,
    the count and the facets follow."""
    page.get_by_label("Jusqu'à").select_option(label="Dans la commune")
    expect(results_count(page)).to_have_text("2 services trouvés")
    expect(page.get_by_role("link", name="Portage de repas de la Côte", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Repas livrés Les Saveurs", exact=True)).to_be_visible()
    expect(page.locator("#resultats")).to_contain_text(f"{STEP_FREE} (1)")
    page.get_by_label("Accessibilité").select_option(label=STEP_FREE)
    expect(results_count(page)).to_have_text("1 service trouvé")
    expect(page.get_by_role("link", name="Repas livrés Les Saveurs", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Portage de repas à domicile", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"accessibility=step_free"))


def tick(page, service) -> None:
    """DSFR draws the box on the label: click the label, as a person does."""
    page.locator(f"label[for=selection-{service.pk}]").click()
    expect(page.locator(f"#selection-{service.pk}")).to_be_checked()


def print_selection(page, name: str) -> str:
    """Click « Imprimer la sélection (PDF) »; the answer must be a real PDF. Returns its text."""
    # Chromium's PDF viewer asks for /favicon.ico (the pages name their DSFR icons instead).
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    with page.expect_response(lambda r: "/imprimer/" in r.url) as answer:
        page.get_by_role("button", name="Imprimer la sélection (PDF)").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # Chromium shows the PDF in its viewer (whose page is what body() would give): fetch the same
    # address again, with the browser's cookies, for the bytes.
    content = page.request.get(response.url).body()
    assert content.startswith(b"%PDF")
    return pdf_text(content, name)


def pdf_text(content: bytes, name: str) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext est absent : installez le paquet Debian « poppler-utils ».")
    folder = Path(os.environ.get("MAILLAGE_E2E_SCREENSHOTS") or "/tmp")
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    if os.environ.get("MAILLAGE_E2E_SCREENSHOTS") and shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(folder / name)], check=True
        )
    else:
        pdf.unlink()
    return " ".join(text.replace("\u00a0", " ").split())


def assert_sheet_of_meals(text: str) -> None:
    """What a person must be able to read on the paper, in plain French."""
    assert "Portage de repas à domicile" in text
    assert "CCAS de Dijon" in text
    assert "Repas livrés Les Saveurs" not in text and "Portage de repas de la Côte" not in text
    assert "1 service choisi" in text
    assert "Votre recherche" in text and "« portage de repas »" in text and "Dijon (21231)" in text
    assert f"Accessibilité : {STEP_FREE}" in text
    assert "03 80 11 22 33" in text
    assert "Du lundi au vendredi : de 9 h à 12 h" in text
    assert "Selon les ressources" in text


def test_reception_agent_finds_meals_filters_step_free_and_prints(page, login_as, meals):
    agent = MembershipFactory(organisation=meals["accessible"].organisation, role=Role.RECEPTION_AGENT)
    login_as(agent.user)
    page.goto("/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Annuaire", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher dans l'annuaire")

    search_meals_in_dijon(page)
    filter_step_free(page, meals)
    tick(page, meals["accessible"])
    expect(page.locator("#selection-summary")).to_contain_text("Votre sélection : 1 service coché")
    screenshot(page, "equipe-resultats")
    assert_accessible(page, "Annuaire (équipe) — portage de repas, plain-pied, sélection")

    assert_sheet_of_meals(print_selection(page, "equipe-selection"))


def test_citizen_finds_meals_filters_step_free_and_prints_without_an_account(page, meals):
    page.goto("/")
    page.get_by_role("link", name="Consulter l'annuaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire des services près de chez vous")

    search_meals_in_dijon(page)
    filter_step_free(page, meals)
    tick(page, meals["accessible"])
    expect(page.locator("#selection-summary")).to_contain_text("Votre sélection : 1 service coché")
    screenshot(page, "public-resultats")
    assert_accessible(page, "Annuaire public — portage de repas, plain-pied, sélection")

    assert_sheet_of_meals(print_selection(page, "public-selection"))


def test_citizen_uses_the_filters_with_the_keyboard_only(page, meals):
    page.goto("/annuaire/public/")
    search = page.get_by_label("Rechercher", exact=False).first
    search.focus()
    page.keyboard.type("portage de repas")
    page.keyboard.press("Tab")
    expect(page.get_by_role("textbox", name=re.compile(r"^Commune"))).to_be_focused()
    page.keyboard.type("Dijon")
    page.keyboard.press("Enter")  # submits the search form
    # Leaving the words field sent the words alone (3 services, Beaune's included); Enter sends the
    # commune with « Jusqu'à : dans la commune », the select's first choice: Dijon's two.
    expect(page).to_have_url(re.compile(r"commune=Dijon"))
    expect(results_count(page)).to_have_text("2 services trouvés")

    # Down to « Jusqu'à » and « Accessibilité » with Tab (past « Rechercher » and « Filtrer », open on
    # a desktop); arrows choose an option, as in any select.
    for _ in range(3):
        page.keyboard.press("Tab")
    proximity = page.get_by_label("Jusqu'à")
    expect(proximity).to_be_focused()
    expect(proximity).to_have_value("commune")
    accessibility = page.get_by_label("Accessibilité")
    for _ in range(4):  # besoin, domaine, public, then accessibilité
        page.keyboard.press("Tab")
    expect(accessibility).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(accessibility).to_have_value("step_free")
    expect(results_count(page)).to_have_text("1 service trouvé")
    expect(accessibility).to_be_focused()  # the results change, the focus stays on the filter

    # On to the results: the print button, then the box of the service; Space ticks it.
    box = page.locator(f"#selection-{meals['accessible'].pk}")
    for _ in range(30):
        page.keyboard.press("Tab")
        if box.evaluate("(el) => el === document.activeElement"):
            break
    else:
        pytest.fail("La touche Tabulation n'atteint pas la case « Ajouter à la sélection ».")
    outline = page.locator(f"label[for=selection-{meals['accessible'].pk}]").evaluate(
        "(el) => getComputedStyle(el, '::before').outlineStyle"
    )
    assert outline != "none", "La case qui a le focus doit le montrer."
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(page.locator("#selection-summary")).to_contain_text("1 service coché")
    screenshot(page, "public-clavier")


def test_ticks_survive_a_change_of_results_page(page):
    cote_dor = DepartementFactory(code="21", name="Côte-d'Or")
    CommuneFactory(code="21231", name="Dijon", departement=cote_dor)
    services = [ServiceFactory(name=f"Portage de repas n° {n:02d}") for n in range(23)]
    page.goto("/annuaire/public/?q=portage+de+repas")
    expect(results_count(page)).to_have_text("23 services trouvés")
    first = page.locator("input[name=service]").first
    first_id = first.get_attribute("value")
    page.locator(f"label[for=selection-{first_id}]").click()
    expect(page.locator("#selection-summary")).to_contain_text("1 service coché")

    page.get_by_role("link", name="Page suivante").click()
    expect(page.get_by_role("link", name="Page précédente")).to_be_visible()
    later_id = page.locator("input[name=service]").first.get_attribute("value")
    assert later_id != first_id
    page.locator(f"label[for=selection-{later_id}]").click()
    expect(page.locator("#selection-summary")).to_contain_text("2 services cochés")

    page.get_by_role("link", name="Page précédente").click()
    expect(page.locator(f"#selection-{first_id}")).to_be_checked()
    screenshot(page, "public-selection-deux-pages")
    text = print_selection(page, "public-selection-deux-pages")
    names = {str(s.pk): s.name for s in services}
    assert names[first_id] in text and names[later_id] in text
    assert "2 services choisis" in text

    page.go_back()
    page.get_by_role("button", name="Vider la sélection").click()
    expect(page.locator("#selection-summary")).to_contain_text("Votre sélection est vide")
    expect(page.locator(f"#selection-{first_id}")).not_to_be_checked()
