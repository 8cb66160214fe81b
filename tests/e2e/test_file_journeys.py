"""The person's file as a coordinator lives it (issue 11, points 5 to 7): the consent's partner is
searched and chosen from a list with the keyboard; a task goes to a colleague and a past date is
asked again; signing an assessment and taking someone out of the care team are confirmed first; a new
plan starts from the needs found not met, and « who provides » searches the directory. axe at desktop
and 375 px on each page; screenshots in /tmp/file/."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.casework.models import CareTeamMember, FollowUpTask
from maillage.casework.services.assessments import essential_needs
from maillage.core.enums import OrganisationKind, Role
from maillage.people.models import Consent
from tests.casework.factories_assessments import AssessmentFactory, AssessmentVersionFactory
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

PHONE = {"width": 375, "height": 800}
SEARCH_MS = 15_000  # a live search waits 300 ms for the typing to stop, then asks a busy test server


def _shot(page, name, theme):
    page.screenshot(path=f"/tmp/file/{theme}-{name}.png", full_page=True, caret="initial")


@pytest.fixture
def office():
    ccas = OrganisationFactory(name="CCAS de Vitré")
    coordinator = MembershipFactory(
        role=Role.COORDINATOR, organisation=ccas, user__first_name="Claire", user__last_name="Martin"
    )
    person = PersonFactory(organisation=ccas, first_names="Jeanne", last_name="Roux")
    return ccas, coordinator, person


def test_the_consent_partner_is_searched_and_chosen_with_the_keyboard(page, login_as, office, theme):
    _, coordinator, person = office
    rennes = CommuneFactory(code="35238", name="Rennes")
    ssiad = OrganisationFactory(name="SSIAD Rennes Métropole", kind=OrganisationKind.SSIAD, commune=rennes)
    OrganisationFactory(name="SSIAD de la Vilaine", kind=OrganisationKind.SSIAD, commune=rennes)
    login_as(coordinator.user)
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Enregistrer un consentement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enregistrer un consentement")
    page.get_by_label("Objet du consentement").select_option("sharing")

    # Saved with no partner chosen: a French message leads back to the search box.
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Cherchez la structure par son nom, son SIRET ou sa commune").first).to_be_visible()
    assert_accessible(page, "Consentement — partenaire manquant")

    # Typed words list the organisations; Enter searches and never sends the form.
    search = page.get_by_label("Partenaire (pour un partage) : chercher la structure")
    search.fill("ssiad renn")
    search.press("Enter")
    results = page.locator("#resultats-structures")
    expect(results.get_by_role("radio")).to_have_count(2, timeout=SEARCH_MS)
    assert not Consent.objects.exists()
    _shot(page, "consentement-recherche", theme)
    assert_accessible(page, "Consentement — structures trouvées")
    # The keyboard: Tab into the list, the arrow keys choose (radios), then on to the form.
    search.focus()
    page.keyboard.press("Tab")  # the « Chercher » button
    page.keyboard.press("Tab")  # the first organisation found
    page.keyboard.press("Space")
    expect(results.get_by_role("radio", name=re.compile("SSIAD Rennes Métropole"))).to_be_checked()
    page.get_by_label("Comment").select_option("oral")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Le consentement est enregistré.")
    expect(
        page.get_by_role("heading", name=re.compile("Partage avec un partenaire nommé.*SSIAD Rennes"))
    ).to_be_visible()
    assert Consent.objects.get().partner == ssiad

    # At a phone's width, the search and its list fit.
    page.set_viewport_size(PHONE)
    page.goto(f"/personnes/{person.pk}/consentements/")
    page.get_by_label("Partenaire (pour un partage) : chercher la structure").fill("Rennes")
    expect(page.locator("#resultats-structures").get_by_role("radio")).to_have_count(2, timeout=SEARCH_MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "consentement-375", theme)


def test_a_task_goes_to_a_colleague_and_a_past_date_is_confirmed(page, login_as, office, theme):
    ccas, coordinator, person = office
    agent = MembershipFactory(
        role=Role.RECEPTION_AGENT, organisation=ccas, user__first_name="Yanis", user__last_name="Le Gall"
    )
    MembershipFactory(role=Role.VOLUNTEER, organisation=ccas, user__first_name="Benoît", user__last_name="Bénévole")
    login_as(coordinator.user)
    page.goto(f"/personnes/{person.pk}/notes/")
    assignee = page.get_by_label("Pour qui")
    expect(assignee.locator("option", has_text="Yanis Le Gall")).to_have_count(1)
    expect(assignee.locator("option", has_text="Bénévole")).to_have_count(0)
    page.get_by_label("À faire").fill("Rappeler la fille de Mme Roux")
    past = timezone.localdate() - datetime.timedelta(days=2)
    page.get_by_label("Pour le").fill(past.isoformat())
    assignee.select_option(label="Yanis Le Gall")
    page.get_by_role("button", name="Programmer la tâche").click()

    # The past date is asked again, with everything typed kept.
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle tâche")
    expect(page.get_by_text("La date choisie est passée").first).to_be_visible()
    expect(page.get_by_label("À faire")).to_have_value("Rappeler la fille de Mme Roux")
    assert not FollowUpTask.objects.exists()
    _shot(page, "tache-date-passee", theme)
    assert_accessible(page, "Tâche — date passée")
    page.get_by_label("Je confirme cette date passée").check(force=True)
    page.get_by_role("button", name="Programmer la tâche").click()
    expect(page.get_by_role("status")).to_contain_text(f"Tâche programmée pour Yanis Le Gall, pour le {past:%d/%m/%Y}")
    task = FollowUpTask.objects.get()
    assert task.assignee == agent.user and task.due_on == past


def test_signing_and_removing_from_the_team_are_confirmed_first(page, login_as, office, theme):
    _, coordinator, person = office
    assessment = AssessmentFactory(person=person, kind="aggir", created_by=coordinator.user)
    version = AssessmentVersionFactory(assessment=assessment, number=1, gir=4)
    member = CareTeamMember.objects.create(person=person, name="Dr Lucie Faure", role="Médecin traitante")
    login_as(coordinator.user)

    page.goto(f"/personnes/{person.pk}/evaluations/{assessment.pk}/")
    page.get_by_role("link", name="Signer la version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signer : Grille AGGIR (autonomie)")
    expect(page.get_by_text("Le GIR de la personne deviendra 4.")).to_be_visible()
    page.get_by_role("button", name="Signer la version 1").click()  # the box not ticked: refused
    expect(page.get_by_text("Cochez la case de confirmation pour signer").first).to_be_visible()
    version.refresh_from_db()
    assert not version.is_signed
    _shot(page, "signature-refusee", theme)
    assert_accessible(page, "Signature — confirmation manquante")
    page.locator("label[for=id_confirm]").click()
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Signer la version 1").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Version 1 signée")
    version.refresh_from_db()
    assert version.is_signed

    page.goto(f"/personnes/{person.pk}/equipe/")
    page.get_by_role("link", name=re.compile("Retirer Dr Lucie Faure")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retirer Dr Lucie Faure de l'équipe")
    page.set_viewport_size(PHONE)
    _shot(page, "retrait-equipe-375", theme)
    assert_accessible(page, "Retrait d'un membre de l'équipe")
    page.locator("label[for=id_confirm]").click()
    page.get_by_role("button", name="Retirer de l'équipe").click()
    expect(page.get_by_role("status")).to_contain_text("ne fait plus partie de l'équipe")
    member.refresh_from_db()
    assert member.removed_at is not None


def test_the_plan_starts_from_unmet_needs_and_who_provides_is_searched(page, login_as, office, theme):
    _, coordinator, person = office
    answers = {term.code: {"status": "met", "note": ""} for term in essential_needs()}
    answers["se-nourrir"] = {"status": "not_met", "note": "Frigo vide"}
    answers["parler-avec-autrui"] = {"status": "not_met", "note": ""}
    needs = AssessmentFactory(person=person, kind="needs", created_by=coordinator.user)
    AssessmentVersionFactory(
        assessment=needs, number=1, answers=answers, gir=None, signed_at=timezone.now(), signed_by=coordinator.user
    )
    meals = ServiceFactory(name="Portage de repas à domicile", organisation__name="CCAS de Fougères")
    ServiceFactory(name="Accueil de jour Les Glycines")
    login_as(coordinator.user)

    page.goto(f"/personnes/{person.pk}/plans/nouveau/")
    goals = page.get_by_role("group", name=re.compile("Objectifs proposés"))
    expect(goals.get_by_label("Objectif — Se nourrir")).to_have_value("Se nourrir : Frigo vide")
    _shot(page, "plan-objectifs", theme)
    assert_accessible(page, "Nouveau plan — objectifs proposés")
    page.get_by_label("Titre").fill("Rester chez moi en sécurité")
    goals.get_by_label("Objectif — Se nourrir").fill("Des repas livrés chaque midi")
    goals.get_by_label("Garder l'objectif pour le besoin « Parler avec autrui »").uncheck(force=True)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rester chez moi en sécurité")
    expect(page.get_by_text("Des repas livrés chaque midi")).to_be_visible()
    assert [goal.description for goal in person.care_plans.get().goals.all()] == ["Des repas livrés chaque midi"]

    page.get_by_role("link", name="Ajouter une action").click()
    # A click waits for the new page to start, not to load: htmx binds the search box on load, and a
    # word typed before that would send no search (as a person's would not, on a slow machine).
    page.wait_for_load_state("load")
    page.locator("#id_what").fill("Portage des repas")
    search = page.get_by_label("Service de l'annuaire : chercher")
    search.fill("portage repas")
    found = page.locator("#resultats-services")
    expect(found.get_by_role("radio", name=re.compile("Portage de repas à domicile"))).to_be_visible(timeout=SEARCH_MS)
    expect(found.get_by_role("radio", name=re.compile("Accueil de jour"))).to_have_count(0)
    page.set_viewport_size(PHONE)
    _shot(page, "action-service-375", theme)
    assert_accessible(page, "Action — services trouvés")
    found.get_by_role("radio", name=re.compile("Portage de repas à domicile")).check(force=True)
    expect(found.get_by_role("radio", name=re.compile("Portage de repas à domicile"))).to_be_checked()
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("cell", name=re.compile("Portage de repas à domicile"))).to_be_visible()
    assert person.care_plans.get().actions.get().provider_service == meals
