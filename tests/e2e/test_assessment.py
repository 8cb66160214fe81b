"""A coordinator's journey: fill the AGGIR grid and see the GIR, screen fragility, write a plan with
two partners and download its PDF; axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from maillage.casework import aggir
from maillage.casework.fragility import DEFAULT_GRID
from maillage.core.enums import OrganisationKind, Role
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def test_coordinator_assesses_screens_and_plans(page, login_as):
    membership = MembershipFactory(role=Role.COORDINATOR, organisation=OrganisationFactory(name="CLIC du Val"))
    person = PersonFactory(organisation=membership.organisation, first_names="Jeanne", last_name="Roux")
    saad = OrganisationFactory(name="SAAD Les Tilleuls", kind=OrganisationKind.SAAD)
    ServiceFactory(organisation=saad, name="Aide et accompagnement à domicile")
    meals = ServiceFactory(name="Portage de repas de la commune")
    login_as(membership.user)

    # AGGIR: the GIR appears as one answers.
    page.goto(f"/personnes/{person.pk}/evaluations/")
    assert_accessible(page, "Évaluations")
    page.get_by_role("link", name="Grille AGGIR (autonomie)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grille AGGIR (autonomie)")
    assert_accessible(page, "Grille AGGIR")
    for name in (
        *aggir.ALL_SUB_VARIABLES,
        "gestion",
        "cuisine",
        "menage",
        "transports",
        "achats",
        "suivi_traitement",
        "activites_temps_libre",
    ):
        code = "C" if name in ("toilette_haut", "toilette_bas") else "A"
        page.locator(f"input[name='{name}'][value='{code}']").check(force=True)
    expect(page.locator("#gir-calcule")).to_have_text("GIR 5")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grille AGGIR (autonomie)")
    assert_accessible(page, "Évaluation AGGIR")
    page.get_by_role("link", name="Signer la version 1").click()  # a confirmation page first
    page.locator("label[for=id_confirm]").click()
    page.get_by_role("button", name="Signer la version 1").click()
    expect(page.get_by_role("status")).to_contain_text("Le GIR de la personne est maintenant 5")

    # Fragility screening by phone.
    page.goto(f"/personnes/{person.pk}/evaluations/nouvelle/fragilite/")
    assert_accessible(page, "Repérage de la fragilité")
    page.get_by_label("Par téléphone").check(force=True)
    for question in DEFAULT_GRID.questions:
        page.locator(
            f"input[name='{question.key}'][value='{question.options[-1 if question.key == 'vit_seul' else 0].key}']"
        ).check(force=True)
    page.locator("input[name='contacts'][value='rare']").check(force=True)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Suites à donner (niveau 2)")).to_be_visible()
    assert_accessible(page, "Résultat du repérage")

    # A plan with two partners.
    page.goto(f"/personnes/{person.pk}/plans/")
    page.get_by_role("link", name="Nouveau plan d'aide").click()
    assert_accessible(page, "Nouveau plan")
    page.get_by_label("Titre").fill("Rester chez moi en sécurité")
    page.get_by_label("État").select_option("active")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rester chez moi en sécurité")
    assert_accessible(page, "Plan")

    page.get_by_role("link", name="Ajouter une action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle action")
    assert_accessible(page, "Nouvelle action")
    page.locator("#id_what").fill("Aide à domicile")
    page.locator("#id_provider_organisation").select_option(label="SAAD Les Tilleuls")
    page.locator("#id_cost").fill("300")
    page.locator("#id_funding").select_option("apa")
    page.get_by_role("button", name="Enregistrer l'action").click()
    page.get_by_role("link", name="Ajouter une action").click()
    page.wait_for_load_state("load")  # htmx binds the directory search box on load
    page.locator("#id_what").fill("Portage de repas")
    page.get_by_label("Service de l'annuaire : chercher").fill("portage repas commune")
    page.locator(f"#service-{meals.pk}").check(force=True)
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("cell", name="SAAD Les Tilleuls")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Portage de repas de la commune"))).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF pour la personne").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # The printable pages: their static stylesheet applies under the content security policy (an
    # inline style would be refused, and the `page` fixture fails on that console error).
    plan_url = page.url
    for link, heading in (
        ("version pour la personne", "Votre plan d'aide"),
        ("version pour les professionnels", "Plan d'aide personnalisé : Rester chez moi en sécurité"),
    ):
        page.goto(plan_url)
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("heading", level=1)).to_have_css(
            "color", "rgb(29, 63, 110)"
        )  # the print stylesheet is applied
        page.screenshot(path=f"/tmp/h5/imprimable-{link.split()[-1]}.png", full_page=True, caret="initial")
        assert_accessible(page, f"Plan imprimable, {link}")

    # The follow-up pages are accessible too.
    for url, name in (
        (f"/personnes/{person.pk}/notes/", "Notes et tâches de suivi"),
        (f"/personnes/{person.pk}/documents/", "Documents"),
        ("/mes-suivis/", "Mes suivis"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        assert_accessible(page, name)
