"""axe-core on every page of the people app and the care team, in real states (results, errors,
duplicate warning, break-glass results)."""

import datetime

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from tests.core.factories import CommuneFactory, MembershipFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import (
    ConsentFactory,
    PersonAddressFactory,
    PersonFactory,
    PersonPhoneFactory,
    RelationFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


@pytest.fixture
def coordinator():
    return MembershipFactory(role=Role.COORDINATOR, organisation__name="CCAS de Talant")


@pytest.fixture
def person(coordinator):
    dijon = CommuneFactory(code="21231", name="Dijon", postal_codes=["21000"])
    person = PersonFactory(
        organisation=coordinator.organisation,
        last_name="Lefèvre",
        birth_name="Martin",
        first_names="Éloïse",
        birth_date=datetime.date(1941, 3, 12),
        lives_alone=True,
    )
    PersonAddressFactory(person=person, commune=dijon)
    PersonPhoneFactory(person=person)
    RelationFactory(person=person, is_emergency_contact=True)
    ConsentFactory(person=person)
    return person


def test_people_pages_are_accessible(page, login_as, coordinator, person):
    login_as(coordinator.user)
    page.goto("/personnes/")
    assert_accessible(page, "personnes — récentes")
    page.goto("/personnes/?q=lefevre")
    assert_accessible(page, "personnes — résultats")
    page.goto("/personnes/?q=31/02/1941")
    assert_accessible(page, "personnes — date impossible")
    page.goto(f"/personnes/{person.pk}/")
    expect(page.get_by_role("heading", name="Chronologie")).to_be_visible()
    assert_accessible(page, "fiche de la personne")
    for suffix, name in [
        ("modifier/", "identité"),
        ("adresse/", "adresse"),
        ("telephone/", "téléphone"),
        ("entourage/", "entourage"),
        ("consentements/", "consentement"),
        ("fusion/", "fusion"),
        ("equipe/", "équipe"),
        ("contacts/nouveau/", "nouveau contact"),
    ]:
        page.goto(f"/personnes/{person.pk}/{suffix}")
        assert_accessible(page, name)


def test_forms_with_errors_and_duplicate_warning_are_accessible(page, login_as, coordinator, person):
    login_as(coordinator.user)
    page.goto("/personnes/nouvelle/")
    assert_accessible(page, "nouvelle personne")
    page.fill("#id_last_name", "Lefevre")
    page.fill("#id_first_names", "Eloise")
    page.fill("#id_birth_date", "1941-03-12")
    page.fill("#id_phone", "06 12")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.get_by_text("n'est pas un numéro de téléphone valide").last).to_be_visible()
    assert_accessible(page, "nouvelle personne — erreurs")
    page.fill("#id_phone", "06 12 34 56 78")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.get_by_text("Cette personne a peut-être déjà une fiche")).to_be_visible()
    assert_accessible(page, "nouvelle personne — doublon possible")
    page.goto(f"/personnes/{person.pk}/equipe/")
    page.get_by_role("button", name="Ajouter à l'équipe").click()
    assert_accessible(page, "équipe — erreurs")


def test_break_glass_pages_are_accessible(page, login_as, person):
    outsider = MembershipFactory(role=Role.COORDINATOR, organisation__name="CLIC voisin")
    login_as(outsider.user)
    page.goto("/personnes/acces-exceptionnel/")
    assert_accessible(page, "accès exceptionnel")
    page.goto("/personnes/acces-exceptionnel/?last_name=lefevre&birth_date=1941-03-12")
    expect(page.get_by_text("suivi·e par CCAS de Talant")).to_be_visible()
    page.fill("#id_reason", "Chute signalée par la voisine, famille injoignable ce soir.")
    page.get_by_role("button", name="Ouvrir la fiche (accès exceptionnel)").click()
    expect(page.get_by_text("Accès exceptionnel jusqu'à")).to_be_visible()
    assert_accessible(page, "fiche ouverte par accès exceptionnel")


def test_merge_pages_are_accessible(page, login_as, coordinator, person):
    duplicate = PersonFactory(
        organisation=coordinator.organisation,
        last_name="Lefevre",
        first_names="Eloise",
        birth_date=datetime.date(1941, 3, 12),
        birth_place="Beaune",
    )
    PersonPhoneFactory(person=duplicate)
    login_as(coordinator.user)
    page.goto(f"/personnes/{person.pk}/fusion/")
    assert_accessible(page, "fusion — fiches qui ressemblent")
    page.goto(f"/personnes/{person.pk}/fusion/?q=zzz")
    assert_accessible(page, "fusion — recherche sans résultat")
    page.goto(f"/personnes/{person.pk}/fusion/")
    page.get_by_role("link", name="Comparer avec cette fiche").click()
    expect(page.get_by_text("diffère").first).to_be_visible()
    assert_accessible(page, "fusion — comparaison")
    page.get_by_role("button", name="Fusionner").click()
    expect(page.get_by_text("Cochez la case de confirmation").first).to_be_visible()
    assert_accessible(page, "fusion — confirmation manquante")
    page.locator("label[for=id_confirm]").click()  # the label, as a person clicks it (both themes)
    page.get_by_role("button", name="Fusionner").click()
    expect(page.get_by_text("est fusionnée dans celle d'Éloïse LEFÈVRE")).to_be_visible()
    page.goto(f"/personnes/{person.pk}/fusion/")
    expect(page.get_by_role("button", name=f"Annuler la fusion de la fiche n° {duplicate.pk}")).to_be_visible()
    assert_accessible(page, "fusion — fusions récentes")
