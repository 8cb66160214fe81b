"""A sponsorship, as the register manager then the volunteer use it: the manager pairs a registered
person with a volunteer from the dashboard; spacing the calls is refused until the person was told;
the volunteer sees the person's name and the next call in « Mes parrainages », on a phone-sized
screen too. axe on each page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.enums import Role
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonFactory
from tests.register.follow_factories import RegisterEntryFactory
from tests.volunteers.factories import caller

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def test_the_manager_creates_a_sponsorship_and_the_volunteer_sees_it(page, context, login_as):
    ccas = OrganisationFactory(name="CCAS de Chenôve")
    manager = MembershipFactory(role=Role.REGISTER_MANAGER, organisation=ccas)
    volunteer = caller(ccas, user__first_name="Lucie", user__last_name="Bernard")
    person = PersonFactory(organisation=ccas, first_names="Odette", last_name="Marchand")
    RegisterEntryFactory(organisation=ccas, person=person)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    login_as(manager.user)
    page.goto("/")
    page.get_by_role("link", name="Voir et organiser les parrainages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parrainages")
    assert_accessible(page, "Parrainages (gestionnaire)")
    page.get_by_role("link", name="Créer un parrainage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un parrainage")
    # A frequency out of range: the field says why.
    page.get_by_label("Personne parrainée").select_option(
        label=f"Odette MARCHAND (année de naissance {person.birth_date:%Y})"
    )
    page.get_by_label("Bénévole (parrain ou marraine)").select_option(label="Lucie Bernard")
    page.get_by_label("Un appel tous les (jours)").fill("120")
    page.get_by_role("button", name="Créer le parrainage").click()
    expect(page.get_by_text("La fréquence va d'un appel par jour à un appel tous les 90 jours.").first).to_be_visible()
    assert_accessible(page, "Créer un parrainage, avec une erreur")
    page.get_by_label("Un appel tous les (jours)").fill("7")
    page.get_by_role("button", name="Créer le parrainage").click()
    expect(page.get_by_text("Parrainage créé")).to_be_visible()
    row = page.get_by_role("row", name="Odette MARCHAND")
    expect(row).to_contain_text("Lucie Bernard")
    expect(row).to_contain_text("toutes les semaines")
    expect(row).to_contain_text(f"{tomorrow:%d/%m/%Y}")

    # Spacing the calls: refused until the day the person was told is given.
    row.get_by_role("link", name="Changer la fréquence").click()
    assert_accessible(page, "Fréquence des appels")
    page.get_by_label("Un appel tous les (jours)").fill("14")
    page.get_by_role("button", name="Changer la fréquence").click()
    expect(page.get_by_text("Avant d'espacer les appels, la personne doit en être prévenue").first).to_be_visible()
    page.get_by_label("La personne a été prévenue le").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_role("button", name="Changer la fréquence").click()
    expect(page.get_by_text("Fréquence changée")).to_be_visible()
    expect(page.get_by_role("row", name="Odette MARCHAND")).to_contain_text("toutes les deux semaines")

    # The volunteer, on a phone: « Mes parrainages » from the dashboard.
    context.clear_cookies()
    login_as(volunteer)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/")
    page.get_by_role("link", name="Voir mes parrainages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes parrainages")
    row = page.get_by_role("row", name="Odette MARCHAND")
    expect(row).to_contain_text(f"{tomorrow:%d/%m/%Y}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "Mes parrainages (téléphone)")
