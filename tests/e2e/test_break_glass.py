"""Break-glass as a coordinator lives it at night: find the person of another organisation by last
name and birth date, open the emergency set with a reason, call the legal representative; the
whole file stays closed. The DPO then finds the search, the opening and the pages together.
axe on each page, desktop and 375 px."""

import datetime

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.people.enums import RelationKind
from tests.casework.factories import CareTeamMemberFactory
from tests.casework.factories_assessments import CarePlanActionFactory, CarePlanFactory, NoteFactory
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonFactory, RelationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

SCREENS = "/tmp/maillage-screens"


def test_emergency_set_opens_with_a_reason_and_the_dpo_sees_it_all(page, context, login_as):
    ccas = OrganisationFactory(name="CCAS de Vitré")
    clic = OrganisationFactory(name="CLIC des Marches de Bretagne")
    person = PersonFactory(
        organisation=ccas, first_names="Yvonne", last_name="Le Goff", birth_date=datetime.date(1931, 3, 14)
    )
    RelationFactory(
        person=person,
        kind=RelationKind.LEGAL_REPRESENTATIVE,
        first_name="Marc",
        last_name="Tutelle",
        phone="0299001122",
    )
    RelationFactory(person=person, kind=RelationKind.FAMILY, first_name="Anne", last_name="Lointaine")
    plan = CarePlanFactory(person=person, status="active")
    CarePlanActionFactory(plan=plan, what="Passage infirmier matin et soir", provider_organisation=clic)
    CareTeamMemberFactory(person=person, user=None, name="Dr Morvan", role="Médecin traitant")
    NoteFactory(person=person, visibility="care_team", body="Chute dans l'escalier le mois dernier")
    coordinator = MembershipFactory(role=Role.COORDINATOR, organisation=clic)
    dpo = MembershipFactory(role=Role.DPO, organisation=clic)

    login_as(coordinator.user)
    page.goto("/personnes/acces-exceptionnel/")
    page.get_by_label("Nom (d'usage ou de naissance)").fill("le goff")
    page.get_by_label("Date de naissance").fill("1931-03-14")
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_text("suivi·e par CCAS de Vitré")).to_be_visible()
    assert_accessible(page, "accès exceptionnel — résultat")
    page.get_by_label("Motif de l'accès exceptionnel").fill(
        "Appel du SAMU à 23 h : chute, personne confuse, besoin du représentant légal."
    )
    page.get_by_role("button", name="Ouvrir la fiche (accès exceptionnel)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yvonne LE GOFF")
    expect(page.get_by_text("Vous voyez les informations d'urgence")).to_be_visible()
    expect(page.get_by_text("Tutelle")).to_be_visible()
    expect(page.get_by_text("Dr Morvan")).to_be_visible()
    expect(page.get_by_text("Passage infirmier matin et soir")).to_be_visible()
    content = page.content()
    assert "Lointaine" not in content and "Chute dans l'escalier" not in content
    assert page.get_by_role("link", name="Notes et tâches").count() == 0
    page.screenshot(path=f"{SCREENS}/break-glass-emergency.png", full_page=True, caret="initial")
    assert_accessible(page, "fiche — informations d'urgence")
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page, "fiche — informations d'urgence, 375 px")
    page.screenshot(path=f"{SCREENS}/break-glass-emergency-375.png", full_page=True, caret="initial")
    response = page.goto(f"/personnes/{person.pk}/notes/")
    assert response.status == 404

    context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login_as(dpo.user)
    page.goto("/journal-d-audit/")
    page.get_by_label("Accès par").select_option("break_glass")
    page.get_by_role("button", name="Rechercher").click()
    rows = page.locator("#resultats-audit tbody tr")
    expect(rows.filter(has_text="Recherche d'accès exceptionnel : 1 personne trouvée")).to_have_count(1)
    expect(rows.filter(has_text="Accès exceptionnel accordé (informations d'urgence)")).to_have_count(1)
    expect(rows.filter(has_text="Fiche de la personne")).to_have_count(1)
    expect(rows.filter(has_text="Motif : Appel du SAMU")).to_have_count(2)
    page.screenshot(path=f"{SCREENS}/break-glass-dpo.png", full_page=True, caret="initial")
    assert_accessible(page, "journal — accès exceptionnels")
