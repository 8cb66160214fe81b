"""A sponsorship, as the register manager then the volunteer use it: the manager pairs a registered
person with a volunteer from the dashboard and plans a spacing of the calls; the volunteer sees the
person's name and the next call in « Mes parrainages », on a phone-sized screen too, and their call
page prompts them to announce the spacing; once announced, the new frequency is the sponsorship's.
axe on each page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.register.models import Call, Sponsorship
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

    # Spacing the calls: planned, to be announced by the sponsor during the next call.
    row.get_by_role("link", name="Changer la fréquence").click()
    assert_accessible(page, "Fréquence des appels")
    page.get_by_label("Un appel tous les (jours)").fill("14")
    page.get_by_role("button", name="Changer la fréquence").click()
    expect(page.get_by_text("Espacement prévu : un appel toutes les deux semaines")).to_be_visible()
    row = page.get_by_role("row", name="Odette MARCHAND")
    expect(row).to_contain_text("toutes les semaines")
    expect(row).to_contain_text("Espacement prévu : toutes les deux semaines, à annoncer lors du prochain appel.")
    assert_accessible(page, "Parrainages, espacement prévu")

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

    # The sponsor's call, on the phone: the announcement to make, and its box.
    call = Call.objects.open().get(entry__person=person)
    page.goto(f"/appels/{call.pk}/")
    prompt = page.get_by_text("Annoncez à la personne que les appels seront désormais espacés")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("toutes les deux semaines à partir du")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "Appel de parrainage, espacement à annoncer (téléphone)")
    page.get_by_role("radio", name="Jointe, tout va bien").check(force=True)
    page.get_by_role("checkbox", name="J'ai annoncé l'espacement des appels").check(force=True)
    page.get_by_role("button", name="Enregistrer l'issue").click()
    expect(page.get_by_text("Espacement annoncé : désormais un appel toutes les deux semaines.")).to_be_visible()
    sponsorship = Sponsorship.objects.get(entry__person=person)
    assert sponsorship.every_days == 14 and sponsorship.pending_every_days is None
    assert sponsorship.spacing_announced_by == volunteer
    following = Call.objects.open().get(entry__person=person)
    assert timezone.localdate(following.due_at) == timezone.localdate() + datetime.timedelta(days=14)
