"""A referral, closed loop, as its users live it (issue 14): a reception agent finds an association's
service in the directory, « Orienter une personne », picks the person, ticks the consent and sends;
the association's member, on a phone, finds it in « Orientations reçues », reads only what is
shared, accepts, starts and closes it « besoin satisfait »; the agent reads the outcome on the
person's timeline. axe on each page, both themes."""

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.referrals.models import Referral
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def test_an_agent_orients_a_person_and_the_partner_closes_the_loop(page, context, login_as, settings):
    settings.MAILLAGE_DIRECTORY_SEARCH_INDEX = "off"
    ccas = OrganisationFactory(name="CCAS de Rennes")
    association = OrganisationFactory(name="Association Repas du Blosne")
    ServiceFactory(organisation=association, name="Portage de repas du Blosne")
    agent = MembershipFactory(organisation=ccas, role=Role.RECEPTION_AGENT)
    partner = MembershipFactory(organisation=association, role=Role.PARTNER)
    person = PersonFactory(organisation=ccas, first_names="Odette", last_name="Kerbrat")
    PersonPhoneFactory(person=person, number="0299112233")
    PersonAddressFactory(person=person, line="4 allée des Tilleuls")

    login_as(agent.user)
    page.goto("/annuaire/recherche/?q=portage+blosne")
    page.get_by_role("link", name="Orienter une personne vers Portage de repas du Blosne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orienter une personne vers Portage de repas du Blosne")
    page.get_by_label("Nom, prénom ou date de naissance").fill("kerbrat")
    page.get_by_role("button", name="Chercher").click()
    assert_accessible(page, "Orienter une personne : laquelle ?")
    page.get_by_role("link", name="Odette KERBRAT : orienter cette personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orienter Odette KERBRAT")
    page.locator("label", has_text="Intervention à domicile").click()
    page.get_by_label("Motif de l'orientation").fill("Ne peut plus cuisiner depuis sa chute.")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_text("Cochez la case une fois que la personne a accepté ce partage").first).to_be_visible()
    assert_accessible(page, "Orienter : formulaire avec une erreur")
    page.locator("label[for=id_consent_given]").click()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_text("Orientation envoyée à Portage de repas du Blosne")).to_be_visible()
    assert_accessible(page, "Orientation envoyée (structure qui oriente)")
    referral = Referral.objects.get()

    # The association's member, on a phone.
    context.clear_cookies()
    login_as(partner.user)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/orientations/recues/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientations reçues")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "Orientations reçues (téléphone)")
    page.get_by_role("link", name="Odette KERBRAT").click()
    expect(page.get_by_text("4 allée des Tilleuls")).to_be_visible()
    expect(page.get_by_text("02 99 11 22 33")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "Orientation reçue (téléphone)")
    for button in ("Accepter l'orientation", "Commencer l'accompagnement"):
        page.get_by_role("link", name=button).click()
        assert_accessible(page, button)
        page.get_by_role("button", name=button).click()
    page.get_by_role("link", name="Clôturer l'orientation").click()
    page.get_by_role("button", name="Clôturer l'orientation").click()
    expect(page.get_by_text("Choisissez l'issue de l'orientation pour la clôturer.").first).to_be_visible()
    assert_accessible(page, "Clôturer, avec une erreur")
    page.get_by_text("Besoin satisfait", exact=True).click()
    page.get_by_role("button", name="Clôturer l'orientation").click()
    expect(page.get_by_text("Orientation clôturée.")).to_be_visible()
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "need_met")

    # The agent reads the outcome on the person's timeline.
    context.clear_cookies()
    login_as(agent.user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/personnes/{person.pk}/chronologie/")
    expect(page.get_by_text("Orientation clôturée par Association Repas du Blosne")).to_be_visible()
    expect(page.get_by_text("Issue : besoin satisfait.")).to_be_visible()
    assert_accessible(page, "Chronologie avec l'orientation clôturée")


def test_an_association_without_an_account_answers_through_its_link_and_code(page, context, login_as, settings):
    """Issue 14's « done when »: the association has no account; it receives a link, asks for its
    code, reads the referral on a phone, accepts and closes it « besoin satisfait »; the agent reads
    the outcome on the person's timeline (decision « nolink »)."""
    import re

    from django.core import mail

    from tests.conftest import run_task_worker

    settings.MAILLAGE_DIRECTORY_SEARCH_INDEX = "off"
    ccas = OrganisationFactory(name="CCAS de Rennes")
    association = OrganisationFactory(name="Les Amis du Blosne")
    ServiceFactory(organisation=association, name="Épicerie solidaire du Blosne", email="epicerie@amis-blosne.example")
    agent = MembershipFactory(organisation=ccas, role=Role.RECEPTION_AGENT)
    person = PersonFactory(organisation=ccas, first_names="Odette", last_name="Kerbrat")
    PersonPhoneFactory(person=person, number="0299112233")

    login_as(agent.user)
    page.goto("/annuaire/recherche/?q=epicerie+blosne")
    page.get_by_role("link", name="Orienter une personne vers Épicerie solidaire du Blosne").click()
    page.get_by_label("Nom, prénom ou date de naissance").fill("kerbrat")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("link", name="Odette KERBRAT : orienter cette personne").click()
    expect(page.get_by_label("Adresse électronique du partenaire")).to_have_value("epicerie@amis-blosne.example")
    assert_accessible(page, "Orienter vers une structure sans compte")
    page.locator("label", has_text="Mise en relation").click()
    page.get_by_label("Motif de l'orientation").fill("Besoin d'une aide alimentaire ce mois-ci.")
    page.locator("label[for=id_consent_given]").click()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_text("Orientation envoyée à Épicerie solidaire du Blosne")).to_be_visible()
    referral = Referral.objects.get()

    run_task_worker()
    (message,) = mail.outbox
    assert message.to == ["epicerie@amis-blosne.example"] and "KERBRAT" not in message.body.upper()
    link = re.search(r"https?://[^/\s]+(/orientations/lien/\S+/ouvrir/)", message.body).group(1)
    mail.outbox.clear()

    # The association, without an account, on a phone.
    context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Lire l'orientation n° {referral.pk}")
    assert "/ouvrir/" not in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "Lien d'orientation : le code")
    page.get_by_role("button", name="Recevoir un code par courriel").click()
    expect(page.get_by_text("Un code vous a été envoyé à epicerie@amis-blosne.example")).to_be_visible()
    run_task_worker()
    (code_message,) = mail.outbox
    code = re.search(r"\b(\d{6})\b", code_message.body).group(1)
    page.get_by_label("Code reçu par courriel (6 chiffres)").fill(code)
    page.get_by_role("button", name="Lire l'orientation").click()
    expect(page.get_by_text("02 99 11 22 33")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "Orientation lue par lien (téléphone)")
    page.get_by_role("link", name="Accepter l'orientation").click()
    assert_accessible(page, "Accepter, par lien")
    page.get_by_role("button", name="Accepter l'orientation").click()
    page.get_by_role("link", name="Clôturer l'orientation").click()
    page.get_by_text("Besoin satisfait", exact=True).click()
    page.get_by_role("button", name="Clôturer l'orientation").click()
    expect(page.get_by_text("Orientation clôturée.")).to_be_visible()
    assert_accessible(page, "Orientation clôturée, par lien")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "need_met")

    # The agent reads the outcome on the person's timeline.
    context.clear_cookies()
    login_as(agent.user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/personnes/{person.pk}/chronologie/")
    expect(page.get_by_text("Orientation clôturée par Les Amis du Blosne")).to_be_visible()
    expect(page.get_by_text("Issue : besoin satisfait.")).to_be_visible()
    assert_accessible(page, "Chronologie avec l'orientation clôturée par lien")
