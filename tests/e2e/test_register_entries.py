"""The register's ways in, in a real browser: the register manager registers a person who asks by
phone; a relative registers someone on the public form, then the manager records the person's
consent; the paper form is downloaded and typed back. Axe audits every page (and at 375 px)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.people.enums import ConsentChannel
from maillage.register.enums import EntryStatus
from maillage.register.models import RegisterEntry
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


@pytest.fixture
def manager():
    organisation = OrganisationFactory(name="CCAS de Rennes", phone="02 99 00 00 00")
    organisation.communes_served.add(CommuneFactory(code="35238", name="Rennes", postal_codes=["35000"]))
    return MembershipFactory(
        organisation=organisation, role=Role.REGISTER_MANAGER, user__first_name="Rose", user__last_name="Registre"
    )


def test_manager_registers_a_person_who_calls(page, login_as, manager):
    PersonFactory(organisation=manager.organisation, last_name="Guillou", first_names="Yvonne")
    login_as(manager.user)
    page.goto("/")
    page.get_by_role("link", name="Registre", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registre des personnes vulnérables")
    assert_accessible(page, "Registre")

    page.get_by_role("link", name="Inscrire une personne").first.click()
    page.get_by_label("Rechercher une personne").fill("guillou")
    page.get_by_role("button", name="Chercher").click()
    assert_accessible(page, "Inscription : recherche")
    page.get_by_role("link", name="Inscrire Yvonne GUILLOU").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inscrire Yvonne GUILLOU au registre")
    expect(page.get_by_text("L121-6-1").first).to_be_visible()
    assert_accessible(page, "Inscription : formulaire")

    page.get_by_label("Qualité au titre de laquelle la personne est inscrite").select_option("aged_65")
    page.get_by_label("Vit seule").check(force=True)
    page.get_by_label("Meilleurs moments pour appeler").fill("En fin de matinée")
    page.get_by_label("J'ai lu le texte ci-dessus à la personne").check(force=True)
    page.get_by_label("Comment a-t-elle donné son accord ?").select_option("oral")
    page.get_by_role("button", name="Inscrire", exact=True).click()

    expect(page.get_by_text("au registre est active")).to_be_visible()
    expect(page.get_by_text("En fin de matinée")).to_be_visible()
    assert_accessible(page, "Inscription au registre")
    entry = RegisterEntry.objects.get()
    assert entry.status == EntryStatus.ACTIVE and entry.consent.recorded_by == manager.user


def test_relative_registers_online_then_manager_records_consent(page, login_as, manager):
    organisation = manager.organisation
    page.goto("/registre/s-inscrire/")
    assert_accessible(page, "S'inscrire au registre")
    page.get_by_role("link", name="Demander une inscription en ligne").click()
    assert_accessible(page, "Formulaire public d'inscription")

    page.get_by_label("Un proche (parent, ami, voisin)").check(force=True)
    page.get_by_label("Votre nom et prénom").fill("Paul Le Gall")
    page.get_by_label("Votre lien avec la personne").fill("fils")
    page.get_by_label("Votre téléphone ou votre adresse électronique").fill("06 12 34 56 78")
    page.get_by_label("Nom de la personne à inscrire").fill("Le Gall")
    page.locator("#id_first_names").fill("Marie")
    page.get_by_label("Date de naissance").fill("4/5/38")
    page.locator("#id_address_line").fill("12 rue de Brest")
    page.locator("#id_commune").select_option(label="Rennes (35000)")
    page.get_by_label("Téléphone de la personne").fill("0299123456")
    page.get_by_label("Personne âgée de 65 ans et plus").check(force=True)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")
    expect(page.get_by_text("demander son accord")).to_be_visible()
    assert_accessible(page, "Demande envoyée")
    entry = RegisterEntry.objects.get()
    assert entry.status == EntryStatus.PENDING_CONSENT

    login_as(manager.user)
    page.goto("/registre/?status=pending_consent")
    page.get_by_role("link", name="Marie LE GALL").click()
    expect(page.get_by_text("En attente du consentement").first).to_be_visible()
    page.get_by_role("link", name="Noter l'accord de la personne").click()
    assert_accessible(page, "Noter l'accord")
    expect(page.get_by_label("Texte présenté à la personne")).to_contain_text(organisation.name)
    page.get_by_label("Oral (recueilli par un agent)").check(force=True)
    page.get_by_role("button", name="Noter son accord").click()
    expect(page.get_by_text("son inscription au registre est active")).to_be_visible()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE and entry.consent.recorded_by == manager.user


def test_paper_form_downloaded_and_typed_back(page, login_as, manager):
    organisation = manager.organisation
    login_as(manager.user)
    page.goto("/registre/saisie-formulaire-papier/")
    assert_accessible(page, "Saisie d'un formulaire papier")
    link = page.get_by_role("link", name="formulaire papier (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    signed = timezone.localdate() - datetime.timedelta(days=2)
    page.get_by_label("Moi-même").check(force=True)
    page.get_by_label("Nom de la personne à inscrire").fill("Tanguy")
    page.locator("#id_first_names").fill("Louis")
    page.get_by_label("Date de naissance").fill("01/02/1944")
    page.locator("#id_address_line").fill("3 quai Lamartine")
    page.locator("#id_commune").select_option(label="Rennes (35000)")
    page.get_by_label("Téléphone de la personne").fill("02 99 65 43 21")
    page.get_by_label("Personne âgée de 65 ans et plus").check(force=True)
    page.get_by_label("Elle entend mal au téléphone").check(force=True)
    page.get_by_label("La case « J'accepte l'inscription » est cochée").check(force=True)
    page.get_by_label("Date de la signature").fill(signed.isoformat())
    page.get_by_role("button", name="Enregistrer le formulaire").click()
    expect(page.get_by_text("Le formulaire papier est saisi.")).to_be_visible()
    entry = RegisterEntry.objects.get(organisation=organisation)
    assert entry.status == EntryStatus.ACTIVE and entry.received_via == "paper"
    assert entry.consent.channel == ConsentChannel.SIGNED_PAPER and entry.consent.given_on == signed


def test_third_party_report_page_is_accessible(page, manager):
    page.goto(f"/registre/signaler/{manager.organisation.pk}/")
    assert_accessible(page, "Signalement d'un tiers")
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_text("Le formulaire contient").first).to_be_visible()
    assert_accessible(page, "Signalement d'un tiers, erreurs")
