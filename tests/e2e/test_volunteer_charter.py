"""A volunteer on a phone (375 px): the dashboard points to the charter, they read and sign it, then
say when they are available and which languages they speak (issue 13, point 6). Both themes, axe audit
on each page; nothing wider than the screen."""

import re

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.volunteers import charter
from maillage.volunteers.models import CallerProfile
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.e2e.axe import PHONE_WIDTH, assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def _fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} : {width} px de large pour un écran de {PHONE_WIDTH} px"


def test_volunteer_signs_the_charter_and_edits_availability_on_a_phone(page, login_as):
    organisation = OrganisationFactory(name="CCAS de Rennes", phone="02 99 28 55 55")
    volunteer = MembershipFactory(
        role=Role.VOLUNTEER, organisation=organisation, user__first_name="Gaëlle", user__last_name="Le Gall"
    )
    login_as(volunteer.user)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})

    page.goto("/tableau-de-bord/")
    warning = page.locator("#appelant")
    expect(warning).to_contain_text("Signez la charte avant tout appel")
    assert_accessible(page, "Tableau de bord d'un·e bénévole sans charte")
    warning.get_by_role("link", name="Lire et signer la charte").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(charter.TITLE)
    expect(page.locator("#texte-charte")).to_contain_text("02 99 28 55 55")
    assert_accessible(page, "Ma charte")
    _fits_the_screen(page)
    page.get_by_role("button", name="Signer la charte").click()  # the box not ticked: refused, said why
    expect(page.get_by_text("cochez la case pour signer la charte").first).to_be_visible()
    assert_accessible(page, "Ma charte, case non cochée")
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check(force=True)
    page.get_by_role("button", name="Signer la charte").click()
    expect(page.get_by_text("Vous avez signé cette charte")).to_be_visible()
    profile = CallerProfile.objects.get(user=volunteer.user, organisation=organisation)
    assert profile.has_signed_current_charter

    page.get_by_role("link", name="Mes disponibilités et langues").click()
    expect(page).to_have_url(re.compile(r"/benevoles/disponibilites/$"))
    assert_accessible(page, "Mes disponibilités et langues")
    page.locator("#id_weekday").select_option(label="Mardi")
    page.locator("#id_start").fill("14:00")
    page.locator("#id_end").fill("12:00")
    page.get_by_role("button", name="Ajouter le créneau").click()
    expect(page.get_by_text("l'heure de fin doit venir après l'heure de début").first).to_be_visible()
    assert_accessible(page, "Créneau refusé")
    page.locator("#id_end").fill("17:30")
    page.get_by_role("button", name="Ajouter le créneau").click()
    expect(page.locator("#mes-creneaux")).to_contain_text("Mardi de 14 h à 17 h 30")
    page.get_by_label("Arabe").check(force=True)
    page.get_by_role("button", name="Enregistrer mes langues").click()
    expect(page.get_by_text("Vos langues sont enregistrées.")).to_be_visible()
    _fits_the_screen(page)

    page.goto("/tableau-de-bord/")
    panel = page.locator("#appelant")
    expect(panel).not_to_contain_text("Signez la charte")
    expect(panel).to_contain_text("Mardi de 14 h à 17 h 30")
    expect(panel).to_contain_text("Français, arabe")
    profile.refresh_from_db()
    assert profile.languages == ["ar"] and profile.slots.count() == 1


def test_register_manager_keeps_the_callers_list(page, login_as):
    organisation = OrganisationFactory(name="CCAS de Rennes")
    manager = MembershipFactory(role=Role.REGISTER_MANAGER, organisation=organisation)
    agent = MembershipFactory(
        role=Role.RECEPTION_AGENT, organisation=organisation, user__first_name="Yannick", user__last_name="Morvan"
    )
    login_as(manager.user)
    page.goto("/tableau-de-bord/")
    page.get_by_role("link", name="Voir la liste des appelant·es").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appelant·es")
    expect(page.get_by_text("Aucun·e appelant·e pour le moment.")).to_be_visible()
    page.get_by_label("Membre").select_option(label="Yannick Morvan — Agent d'accueil")
    page.get_by_role("button", name="Ajouter à la liste").click()
    row = page.get_by_role("row", name=re.compile("Yannick Morvan"))
    expect(row).to_contain_text("Pas encore signée")
    expect(row).to_contain_text("Aucun créneau indiqué : disponible à tout moment")
    assert_accessible(page, "Appelant·es")
    row.get_by_role("button", name=re.compile("Retirer de la liste")).click()
    expect(page.get_by_role("row", name=re.compile("Yannick Morvan"))).to_contain_text("Retiré·e")
    assert not CallerProfile.objects.get(user=agent.user).is_active
