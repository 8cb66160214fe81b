"""« Affiner » in a real browser, with the keyboard alone: a citizen on the public directory narrows
the results with a facet link (focus, then Enter), sees the filter marked as applied, in the form too,
and removes it with « retirer ce filtre »; the links work in results the form's htmx has swapped in.

With MAILLAGE_E2E_SCREENSHOTS=/some/folder, the « Affiner » column is saved there, to look at.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from maillage.directory.enums import AccessibilityFeature, FeeKind
from tests.directory.factories import ServiceAccessibilityFactory, ServiceFactory
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

STEP_FREE = AccessibilityFeature.STEP_FREE.label


@pytest.fixture
def meals():
    """Four meal services: two with step-free access (one free, one paid), one with a hearing loop,
    one saying nothing of its access."""
    ground = ServiceFactory(name="Portage de repas du centre", fee_kind=FeeKind.FREE)
    ServiceAccessibilityFactory(service=ground, feature=AccessibilityFeature.STEP_FREE)
    lift = ServiceFactory(name="Portage de repas de la résidence", fee_kind=FeeKind.PAID)
    ServiceAccessibilityFactory(service=lift, feature=AccessibilityFeature.STEP_FREE)
    loop = ServiceFactory(name="Portage de repas à l'étage", fee_kind=FeeKind.FREE)
    ServiceAccessibilityFactory(service=loop, feature=AccessibilityFeature.HEARING_LOOP)
    ServiceFactory(name="Portage de repas sans information", fee_kind=FeeKind.PAID)
    return {"step_free": [ground, lift], "others": [loop]}


def affiner(page):
    return page.locator("#resultats #facettes")


def results_count(page):
    return page.locator("#resultats [role=status]").first


def result_names(page) -> set[str]:
    return set(page.locator("#resultats h3 a").all_inner_texts())


def press_enter_on(page, link) -> None:
    """Focus the link as Tab would, check the focus shows, then Enter."""
    link.focus()
    expect(link).to_be_focused()
    outline = link.evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline != "none", "Le lien qui a le focus doit le montrer."
    page.keyboard.press("Enter")


def save_affiner(page, name: str) -> None:
    folder = os.environ.get("MAILLAGE_E2E_SCREENSHOTS")
    if folder:
        affiner(page).screenshot(path=str(Path(folder) / f"{name}.png"), caret="initial")


def test_citizen_narrows_and_widens_the_results_with_the_keyboard(page, meals):
    page.goto("/annuaire/public/?q=portage+de+repas")
    expect(results_count(page)).to_have_text("4 services trouvés")
    assert_accessible(page, "Annuaire public — Affiner, aucun filtre")
    save_affiner(page, "affiner-sans-filtre")

    press_enter_on(page, affiner(page).get_by_role("link", name=f"{STEP_FREE} (2)"))
    expect(page).to_have_url(re.compile(r"accessibility=step_free"))
    expect(results_count(page)).to_have_text("2 services trouvés")
    assert result_names(page) == {s.name for s in meals["step_free"]}
    applied = affiner(page).locator("[aria-current=true]")
    expect(applied).to_have_count(1)
    expect(applied).to_contain_text(f"{STEP_FREE} (2)")
    expect(page.get_by_label("Accessibilité")).to_have_value("step_free")  # the form says it too
    # The page opens on the results: the next Tab goes on from « Affiner », not from the top.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('resultats').contains(document.activeElement)")
    assert_accessible(page, "Annuaire public — Affiner, plain-pied appliqué")
    save_affiner(page, "affiner-plain-pied")

    press_enter_on(page, affiner(page).get_by_role("link", name="retirer ce filtre"))
    expect(results_count(page)).to_have_text("4 services trouvés")
    expect(page).not_to_have_url(re.compile(r"accessibility="))
    expect(affiner(page).locator("[aria-current=true]")).to_have_count(0)
    expect(page.get_by_label("Accessibilité")).to_have_value("")


def test_facet_links_of_results_swapped_in_by_the_form_keep_the_form_s_filters(page, meals):
    page.goto("/annuaire/public/?q=portage+de+repas")
    page.get_by_label("Tarif").select_option(label="Gratuit")  # htmx swaps the results in
    expect(results_count(page)).to_have_text("2 services trouvés")
    expect(page).to_have_url(re.compile(r"fee=free"))

    press_enter_on(page, affiner(page).get_by_role("link", name=f"{STEP_FREE} (1)"))
    expect(page).to_have_url(re.compile(r"accessibility=step_free"))
    expect(results_count(page)).to_have_text("1 service trouvé")
    assert result_names(page) == {meals["step_free"][0].name}
    expect(page.get_by_label("Tarif")).to_have_value("free")
    expect(page.get_by_label("Accessibilité")).to_have_value("step_free")
    expect(affiner(page).locator("[aria-current=true]")).to_have_count(2)  # tarif and accessibilité
    assert_accessible(page, "Annuaire public — Affiner, gratuit et plain-pied")
