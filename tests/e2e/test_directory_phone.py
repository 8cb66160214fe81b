"""The directory search on a phone (issue 11, point 14), for the public and for staff, in both themes:
the results come right after the search box (the other filters fold into « Filtrer », a disclosure
button that opens them, with or without JavaScript); a keyboard user jumps to the results with « Aller
aux résultats »; a service's « Retour à la recherche » comes back to the same search, filters and page.
Screenshots: /tmp/search-*.png."""

import re

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.core.models import Commune
from maillage.core.territories import load_territories, read_extract
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

PHONE = {"width": 375, "height": 740}
SEARCH_URLS = {"public": "/annuaire/public/", "staff": "/annuaire/recherche/"}


@pytest.fixture
def directory():
    """25 meal deliveries in Dijon (two pages of results) and a day centre that mentions meals."""
    load_territories(read_extract(), departement_codes={"21"})
    dijon = Commune.objects.get(code="21231")
    ccas = OrganisationFactory(name="CCAS de Dijon")
    services = [
        ServiceFactory(
            name=f"Portage de repas, tournée {n:02d}",
            description="Repas livrés à domicile.",
            organisation=ccas,
            commune=dijon,
        )
        for n in range(1, 26)
    ]
    ServiceFactory(
        name="Accueil de jour Les Tilleuls", description="Le repas de midi est pris ensemble.", commune=dijon
    )
    return {"ccas": ccas, "services": services}


@pytest.fixture(params=["public", "staff"])
def who(request, login_as, directory):
    if request.param == "staff":
        login_as(MembershipFactory(organisation=directory["ccas"], role=Role.RECEPTION_AGENT).user)
    return request.param


def shot(page, name: str, theme: str) -> None:
    page.screenshot(path=f"/tmp/search-{name}-{theme}.png", full_page=True, caret="initial")


def test_on_a_phone_the_results_come_first_and_the_filters_fold(page, who, theme):
    page.set_viewport_size(PHONE)
    page.goto(SEARCH_URLS[who] + "?q=repas&commune=Dijon")
    toggle = page.locator("summary", has_text="Filtrer")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    proximity = page.get_by_label("Jusqu'à")
    expect(proximity).to_be_hidden()
    first = page.locator("#liste-resultats .directory-results__item").first
    expect(first).to_contain_text("Portage de repas, tournée 01")  # a name match before the day centre
    shot(page, f"{who}-375-replie", theme)
    # Results before « Affiner », and right under the search box: the count and the selection's two
    # buttons only between « Filtrer » and the first result (in type of 18 px at least).
    first_top = first.bounding_box()["y"]
    assert first_top < page.get_by_role("heading", name="Affiner").bounding_box()["y"]
    gap = first_top - toggle.bounding_box()["y"]
    assert gap < 450, f"{gap} px entre « Filtrer » et le premier résultat"
    assert_accessible(page, f"Annuaire ({who}) au téléphone, filtres repliés")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "la page déborde en largeur"

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(proximity).to_be_visible()
    proximity.select_option(label="Dans la commune")
    expect(page).to_have_url(re.compile(r"proximity=commune"))
    expect(page.locator("#resultats [role=status]").first).to_have_text("26 services trouvés")
    assert_accessible(page, f"Annuaire ({who}) au téléphone, filtres ouverts")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "la page déborde en largeur"
    shot(page, f"{who}-375-ouvert", theme)


def test_on_a_desktop_the_filters_are_open(page, who, theme):
    page.goto(SEARCH_URLS[who] + "?q=repas")
    expect(page.locator("summary", has_text="Filtrer")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Jusqu'à")).to_be_visible()
    shot(page, f"{who}-bureau", theme)


def test_back_to_the_search_keeps_words_filters_and_page(page, who, theme):
    page.set_viewport_size(PHONE)
    page.goto(SEARCH_URLS[who])
    page.get_by_label("Rechercher", exact=False).first.fill("repas")
    page.get_by_role("textbox", name=re.compile(r"^Commune")).fill("dijon")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"commune=dijon"))
    page.locator("summary", has_text="Filtrer").click()
    page.get_by_label("Jusqu'à").select_option(label="Dans la commune")
    expect(page).to_have_url(re.compile(r"proximity=commune"))
    page.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    first = page.locator("#liste-resultats h3 a").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("link", name="Retour à la recherche").click()

    expect(page).to_have_url(re.compile(r"q=repas"))
    expect(page).to_have_url(re.compile(r"commune=dijon"))
    expect(page).to_have_url(re.compile(r"proximity=commune"))
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.get_by_label("Rechercher", exact=False).first).to_have_value("repas")
    expect(page.get_by_label("Jusqu'à")).to_have_value("commune")
    expect(page.locator("summary", has_text="Filtrer")).to_contain_text("1 filtre appliqué")
    expect(page.locator("#liste-resultats h3 a").first).to_have_text(name)  # the same page
    shot(page, f"{who}-375-retour", theme)


def test_a_keyboard_user_jumps_to_the_first_result(page, who, theme):
    page.set_viewport_size(PHONE)
    page.goto(SEARCH_URLS[who] + "?q=repas&commune=Dijon")
    skip = page.get_by_role("link", name="Aller aux résultats")
    for _ in range(3):
        page.keyboard.press("Tab")
        if skip.evaluate("(el) => el === document.activeElement"):
            break
    else:
        pytest.fail("« Aller aux résultats » n'est pas parmi les premiers arrêts de la tabulation.")
    expect(skip).to_be_visible()  # shown when it has the focus
    shot(page, f"{who}-375-evitement", theme)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first_box = page.locator("#liste-resultats input[name=service]").first
    expect(first_box).to_be_focused()
    expect(first_box).to_have_accessible_name(re.compile("Portage de repas, tournée 01"))


def test_the_filters_open_without_javascript(browser, live_server, directory, theme):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto("/annuaire/public/?q=repas&commune=Dijon")
        proximity = page.get_by_label("Jusqu'à")
        expect(proximity).to_be_hidden()
        page.locator("summary", has_text="Filtrer").click()
        expect(proximity).to_be_visible()
        proximity.select_option("commune")
        page.get_by_role("button", name="Appliquer les filtres").click()
        expect(page).to_have_url(re.compile(r"proximity=commune"))
        expect(page.locator("summary", has_text="Filtrer")).to_contain_text("1 filtre appliqué")
        expect(page.get_by_label("Jusqu'à")).to_be_visible()  # open: a filter is applied
        shot(page, "public-375-sans-js", theme)
    finally:
        context.close()
