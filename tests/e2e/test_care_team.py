"""A colleague of another organisation cannot open the file until added to the care team; the
data-protection officer sees every access. axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from maillage.core.enums import OrganisationKind, Role
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import ConsentFactory, PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def _as(context, login_as, membership):
    """Hand the browser to another user: the previous session's cookies go."""
    context.clear_cookies()
    login_as(membership.user)


def test_colleague_opens_the_file_only_once_in_the_care_team_and_the_dpo_sees_every_opening(page, context, login_as):
    ccas = OrganisationFactory(name="CCAS de Beaune")
    ssiad = OrganisationFactory(name="SSIAD du Val de Saône", kind=OrganisationKind.SSIAD)
    coordinator = MembershipFactory(
        role=Role.COORDINATOR, organisation=ccas, user__first_name="Claire", user__last_name="Martin"
    )
    dpo = MembershipFactory(role=Role.DPO, organisation=ccas)
    nurse = MembershipFactory(
        role=Role.COORDINATOR,
        organisation=ssiad,
        user__first_name="Paul",
        user__last_name="Garnier",
        user__email="paul.garnier@ssiad-val.example.fr",
    )
    person = PersonFactory(organisation=ccas, first_names="Jeanne", last_name="Roux")
    ConsentFactory(person=person, scope="sharing", partner=ssiad, recorded_by=coordinator.user)
    file_url = f"/personnes/{person.pk}/"

    # 1. The SSIAD's nurse is refused: the page says nothing of the person.
    _as(context, login_as, nurse)
    response = page.goto(file_url)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page non trouvée")
    content = page.content()
    assert "Roux" not in content and "Jeanne" not in content and "ROUX" not in content
    page.screenshot(path="/tmp/h5/1-refus.png", full_page=True, caret="initial")
    assert_accessible(page, "Refus d'accès à la fiche")

    # 2. The CCAS's coordinator opens the file and adds the nurse to the care team.
    _as(context, login_as, coordinator)
    page.goto(file_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Jeanne ROUX")
    page.get_by_role("navigation", name=re.compile("Le dossier de")).get_by_role("link", name="Équipe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Équipe autour de"))
    assert_accessible(page, "Équipe autour de la personne")
    page.get_by_label("Compte Maillage (adresse électronique)").fill(nurse.user.email)
    page.get_by_label("Rôle auprès de la personne").fill("Infirmier coordinateur SSIAD")
    page.get_by_role("button", name="Ajouter à l'équipe").click()
    expect(page.get_by_role("status")).to_contain_text("rejoint l'équipe")
    expect(page.get_by_role("cell", name="SSIAD du Val de Saône")).to_be_visible()
    page.screenshot(path="/tmp/h5/2-equipe.png", full_page=True, caret="initial")
    assert_accessible(page, "Équipe après ajout")

    # 3. The nurse now opens the file.
    _as(context, login_as, nurse)
    response = page.goto(file_url)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Jeanne ROUX")
    page.screenshot(path="/tmp/h5/3-fiche-infirmier.png", full_page=True, caret="initial")
    assert_accessible(page, "Fiche ouverte par l'équipe")

    # 4. The CCAS's data-protection officer sees both openings of the file in the audit trail: the
    # coordinator's and the nurse's from the other organisation. (The nurse's refusal is a 404 and
    # writes no line: nothing was shown.)
    _as(context, login_as, dpo)
    page.goto("/journal-d-audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal d'audit du CCAS de Beaune")
    page.get_by_label("Recherche").fill("Fiche de la personne")
    page.get_by_role("button", name="Rechercher").click()
    rows = page.locator("#resultats-audit tbody tr")
    expect(rows.filter(has_text=coordinator.user.email)).to_have_count(1)
    page.screenshot(path="/tmp/h5/4-journal-dpo.png", full_page=True, caret="initial")
    assert_accessible(page, "Journal d'audit")
    expect(rows.filter(has_text=nurse.user.email)).to_have_count(1)
