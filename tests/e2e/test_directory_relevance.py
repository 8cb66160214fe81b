"""Issue 11, points 12 and 13, in a browser: a citizen near Dijon looking for « repas » sees the meal
deliveries of Dijon first, then those of the metropolis, then the day centre that only mentions lunch;
« APA » and « St Apollinaire » are understood. A reception agent prints a selection: every link of
the PDF opens the service's public page for someone with no account. Screenshots: /tmp/search-*.png."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from maillage.core.enums import Role
from maillage.core.models import Commune
from maillage.core.territories import load_territories, read_extract
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.directory.test_ranking import DIRECTORY, REPAS_NEAR_DIJON
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


@pytest.fixture
def directory():
    load_territories(read_extract(), departement_codes={"21", "35"})
    communes = {c.code: c for c in Commune.objects.filter(code__in=[row[3] for row in DIRECTORY])}
    organisations, services = {}, {}
    for name, description, organisation, commune, days in DIRECTORY:
        if organisation not in organisations:
            organisations[organisation] = OrganisationFactory(name=organisation)
        services[name] = ServiceFactory(
            name=name,
            description=description,
            organisation=organisations[organisation],
            commune=communes[commune],
            last_verified_at=timezone.now() - timedelta(days=days),
        )
    return services


def result_names(page) -> list[str]:
    return page.locator("#liste-resultats h3").all_inner_texts()


@pytest.mark.parametrize("width", [1280, 375])
def test_citizen_near_dijon_gets_meal_deliveries_first(page, directory, theme, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/annuaire/public/")
    page.get_by_label("Rechercher", exact=False).first.fill("repas")
    page.get_by_role("textbox", name=re.compile(r"^Commune")).fill("Dijon")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"commune=Dijon"))
    # « Jusqu'à » starts at the commune: Dijon's two names, then the day centre that mentions lunch.
    expect(page.locator("#liste-resultats h3").first).to_have_text(REPAS_NEAR_DIJON[0])
    assert result_names(page) == [*REPAS_NEAR_DIJON[:2], "Accueil de jour Les Tilleuls"]
    toggle = page.locator("summary", has_text="Filtrer")
    if toggle.get_attribute("aria-expanded") == "false":  # folded on a phone
        toggle.click()
    page.get_by_label("Jusqu'à").select_option(label="Dans le département")
    expect(page.locator("#resultats [role=status]").first).to_have_text(f"{len(REPAS_NEAR_DIJON)} services trouvés")
    assert result_names(page) == REPAS_NEAR_DIJON
    page.screenshot(path=f"/tmp/search-repas-dijon-{theme}-{width}.png", caret="initial")
    assert_accessible(page, "Annuaire public — repas près de Dijon")

    page.get_by_label("Rechercher", exact=False).first.fill("APA")
    page.get_by_role("textbox", name=re.compile(r"^Commune")).fill("St Apollinaire")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"commune=St(\+|%20)Apollinaire"))
    expect(page.locator("#liste-resultats h3").first).to_have_text(
        "Allocation personnalisée d'autonomie : aide à la demande"
    )
    expect(page.get_by_text(re.compile("Aucune commune|Plusieurs communes"))).to_have_count(0)  # understood


def test_the_printed_selection_links_open_for_anyone(page, browser, live_server, login_as, directory, theme):
    meals = directory["Portage de repas à domicile"]
    login_as(MembershipFactory(organisation=meals.organisation, role=Role.RECEPTION_AGENT).user)
    page.goto("/annuaire/recherche/?q=repas&commune=21231")
    for count, name in enumerate(("Portage de repas à domicile", "Accueil de jour Les Tilleuls"), start=1):
        page.locator(f"label[for=selection-{directory[name].pk}]").click()
        expect(page.locator("#selection-summary")).to_contain_text(f"{count} service")
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    with page.expect_response(lambda r: "/imprimer/" in r.url) as answer:
        page.get_by_role("button", name="Imprimer la sélection (PDF)").click()
    content = page.request.get(answer.value.url).body()
    links = [
        str(a.get_object()["/A"]["/URI"])
        for p in PdfReader(io.BytesIO(content)).pages
        for a in p.get("/Annots") or []
        if a.get_object().get("/A", {}).get("/URI")
    ]
    assert len(links) == 2

    anonymous = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    try:
        reader = anonymous.new_page()
        for link in links:
            response = reader.goto(link)
            assert response.status == 200 and urlsplit(reader.url).path == urlsplit(link).path, link
            expect(reader.get_by_role("link", name="Retour à la recherche")).to_be_visible()
        reader.screenshot(path=f"/tmp/search-lien-public-{theme}.png", caret="initial")
        assert_accessible(reader, "Fiche publique ouverte depuis une sélection imprimée")
    finally:
        anonymous.close()
