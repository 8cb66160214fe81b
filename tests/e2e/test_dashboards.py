"""The first screen of a working day, and the way back into an account (issue 11, points 9 and 11).

- A coordinator's morning: log in, the tasks (late first), the plans to review, the caseload and the
  files shared with them; each link opens the right page. Desktop and 375 px.
- A professional of another organisation added to a care team receives the e-mail, follows its link,
  logs in and finds the file on the dashboard, then opens it.
- A locked account: the page advises a password reset, the reset unlocks it, the login goes through;
  a throttled second-factor code says to wait, and after the wait the right code works.
"""

import datetime
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.core.enums import OrganisationKind, Role
from tests.casework.factories import care_team_place
from tests.casework.factories_assessments import CarePlanFactory, FollowUpTaskFactory
from tests.conftest import run_task_worker
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.e2e.axe import PHONE_WIDTH, assert_accessible
from tests.e2e.conftest import PASSWORD, current_totp
from tests.people.factories import ConsentFactory, PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

SHOTS = "/tmp/dashboards-{theme}-{name}.png"


def _shot(page, theme, name):
    page.screenshot(path=SHOTS.format(theme=theme, name=name), full_page=True, caret="initial")


def _days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def _log_in(page, user, password=PASSWORD):
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/verification/"))
    page.get_by_label("Code de vérification").fill(current_totp(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="Valider").click()


def test_a_coordinators_morning(page, theme):
    ccas = OrganisationFactory(name="CCAS de Rennes")
    clic = OrganisationFactory(name="CLIC Haute-Bretagne", kind=OrganisationKind.CLIC)
    coordinator = MembershipFactory(
        role=Role.COORDINATOR, organisation=ccas, user__first_name="Claire", user__last_name="Martin"
    )
    user = coordinator.user
    TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    late = PersonFactory(organisation=ccas, first_names="Odette", last_name="Lebreton")
    today = PersonFactory(organisation=ccas, first_names="Marcel", last_name="Guégan")
    week = PersonFactory(organisation=ccas, first_names="Yvonne", last_name="Le Goff")
    FollowUpTaskFactory(person=week, assignee=user, organisation=ccas, due_on=_days(4), title="Envoyer le dossier APA")
    FollowUpTaskFactory(person=late, assignee=user, organisation=ccas, due_on=_days(-2), title="Rappeler sa fille")
    FollowUpTaskFactory(person=today, assignee=user, organisation=ccas, due_on=_days(0), title="Visite à domicile")
    plan = CarePlanFactory(person=late, coordinator=user, title="Rester chez soi", next_review_on=_days(-1))
    care_team_place(today, coordinator, is_referent=True)
    shared = PersonFactory(organisation=clic, first_names="Louise", last_name="Le Bihan")
    care_team_place(shared, coordinator, role="Coordinatrice du CCAS")
    hidden = PersonFactory(organisation=clic, first_names="Armelle", last_name="Quéré")
    place = care_team_place(hidden, coordinator)
    place.removed_at = timezone.now()  # an ended place: the file is no longer shared
    place.save()

    page.goto("/")
    _log_in(page, user)
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Claire")

    tasks = page.locator("#taches-a-faire")
    expect(tasks.get_by_role("heading", level=3)).to_have_text(
        ["En retard (1)", "Aujourd'hui (1)", "Dans les 7 prochains jours (1)"]
    )
    expect(tasks.get_by_role("listitem")).to_have_count(3)
    expect(tasks.get_by_role("listitem").first).to_contain_text("Odette LEBRETON : Rappeler sa fille")
    plans = page.locator("#plans-a-reviser")
    expect(plans).to_contain_text("Révision dépassée")
    expect(page.locator("#mes-suivis")).to_contain_text("Marcel GUÉGAN")
    shared_panel = page.locator("#dossiers-partages")
    expect(shared_panel).to_contain_text("Louise LE BIHAN")
    expect(shared_panel).to_contain_text("CLIC Haute-Bretagne")
    expect(page.get_by_text("Armelle QUÉRÉ")).to_have_count(0)
    _shot(page, theme, "1-matin-bureau")
    assert_accessible(page, "Tableau de bord du coordinateur")

    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    expect(tasks.get_by_role("link", name="Odette LEBRETON")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"la page déborde à {PHONE_WIDTH} px ({width} px)"
    _shot(page, theme, "2-matin-telephone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The late task leads to the person's notes and tasks; the plan to its page; the shared file opens.
    tasks.get_by_role("link", name="Odette LEBRETON").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes et tâches de suivi")
    expect(page.get_by_text("Rappeler sa fille", exact=True)).to_be_visible()
    page.go_back()
    plans.get_by_role("link", name="Rester chez soi").click()
    expect(page).to_have_url(re.compile(rf"/{plan.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rester chez soi")
    page.go_back()
    shared_panel.get_by_role("link", name="Louise LE BIHAN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Louise LE BIHAN")
    _shot(page, theme, "3-dossier-partage")


def test_a_professional_added_to_a_care_team_is_told_logs_in_and_opens_the_file(page, context, login_as, theme):
    ccas = OrganisationFactory(name="CCAS de Rennes")
    clic = OrganisationFactory(name="CLIC Haute-Bretagne", kind=OrganisationKind.CLIC)
    coordinator = MembershipFactory(
        role=Role.COORDINATOR, organisation=ccas, user__first_name="Claire", user__last_name="Martin"
    )
    nurse = MembershipFactory(
        role=Role.COORDINATOR,
        organisation=clic,
        user__first_name="Inès",
        user__last_name="Le Floch",
        user__email="ines.lefloch@clic-haute-bretagne.example.fr",
    )
    TOTPDevice.objects.create(user=nurse.user, name="Téléphone", confirmed=True)
    person = PersonFactory(organisation=ccas, first_names="Jeanne", last_name="Roux")
    ConsentFactory(person=person, scope="sharing", partner=clic, recorded_by=coordinator.user)

    # 1. The coordinator adds Inès to the care team.
    login_as(coordinator.user)
    page.goto(f"/personnes/{person.pk}/equipe/")
    page.get_by_label("Compte Maillage (adresse électronique)").fill(nurse.user.email)
    page.get_by_label("Rôle auprès de la personne").fill("Coordinatrice CLIC")
    page.get_by_role("button", name="Ajouter à l'équipe").click()
    expect(page.get_by_role("status")).to_contain_text("rejoint l'équipe")

    # 2. The e-mail: to her, nothing about the person, a link to the dashboard.
    run_task_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [nurse.user.email]
    assert "Roux" not in message.subject + message.body and "Jeanne" not in message.subject + message.body
    assert "d'une personne accompagnée par CCAS de Rennes" in message.body
    link = next(line.strip() for line in message.body.splitlines() if "/tableau-de-bord/" in line)
    path = "/" + link.split("/", 3)[3]

    # 3. Inès follows the link on her own computer: the login, then the dashboard, then the file.
    context.clear_cookies()
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/tableau-de-bord/$"))
    _log_in(page, nurse.user)
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    shared_panel = page.locator("#dossiers-partages")
    expect(shared_panel.get_by_role("heading", level=2)).to_have_text("Dossiers partagés avec moi")
    expect(shared_panel).to_contain_text("Coordinatrice CLIC")
    _shot(page, theme, "4-partenaire-tableau")
    assert_accessible(page, "Tableau de bord — dossiers partagés avec moi")
    shared_panel.get_by_role("link", name="Jeanne ROUX").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jeanne ROUX")
    _shot(page, theme, "5-partenaire-dossier")


def test_locked_account_reset_unlocks_it_and_a_throttled_code_says_wait(page, settings, theme):
    settings.OTP_TOTP_THROTTLE_FACTOR = 4  # a wait long enough to be seen on a slow machine
    organisation = OrganisationFactory(name="CCAS de Fougères")
    member = MembershipFactory(
        role=Role.RECEPTION_AGENT,
        organisation=organisation,
        user__first_name="Gaëlle",
        user__email="gaelle.morvan@ccas-fougeres.example.fr",
    )
    user = member.user
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)

    # 1. Five wrong passwords: the account is locked, and the page says how to unlock it.
    page.goto("/connexion/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Adresse électronique").fill(user.email)
        page.get_by_label("Mot de passe").fill("Pas-le-bon-mot-de-passe-9")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state("load")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Compte temporairement bloqué")).to_be_visible()
    expect(page.get_by_text("débloque aussitôt le compte")).to_be_visible()
    _shot(page, theme, "6-compte-bloque")
    assert_accessible(page, "Compte bloqué")

    # 2. The advice: reset the password through the e-mailed link.
    page.get_by_role("link", name="réinitialisez votre mot de passe").click()
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page).to_have_url(re.compile(r"/compte/mot-de-passe/oublie/envoye/$"))
    run_task_worker()
    link = next(line.strip() for line in mail.outbox[-1].body.splitlines() if "/compte/mot-de-passe/nouveau/" in line)
    page.goto("/" + link.split("/", 3)[3])
    new_password = "Nouveau-Mot-de-passe-2026!"
    page.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe")).fill(new_password)
    page.get_by_role("textbox", name=re.compile(r"^Confirmation du nouveau mot de passe")).fill(new_password)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_text("il est débloqué")).to_be_visible()
    _shot(page, theme, "7-mot-de-passe-enregistre")

    # 3. The login goes through; a wrong code, then the right one at once: « wait », not « incorrect ».
    page.locator("#contenu").get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(new_password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/verification/"))
    right = current_totp(device)
    page.get_by_label("Code de vérification").fill(str((int(right) + 500_000) % 1_000_000).zfill(6))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Code incorrect ou expiré.").last).to_be_visible()
    tried_at = time.monotonic()
    page.get_by_label("Code de vérification").fill(current_totp(device))
    page.get_by_role("button", name="Valider").click()
    expect(
        page.get_by_text(re.compile(r"Trop d'essais : attendez \d secondes? avant de réessayer")).last
    ).to_be_visible()
    expect(page.get_by_text("Code incorrect ou expiré.")).to_have_count(0)
    _shot(page, theme, "8-trop-d-essais")
    assert_accessible(page, "Second facteur — trop d'essais")
    time.sleep(max(0.0, 4.2 - (time.monotonic() - tried_at)))
    page.get_by_label("Code de vérification").fill(current_totp(device))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Gaëlle")


def test_director_sees_counts_and_a_volunteer_sees_no_person(page, context, login_as, theme):
    ccas = OrganisationFactory(name="CCAS de Vitré")
    director = MembershipFactory(role=Role.DIRECTOR, organisation=ccas, user__first_name="Hélène")
    volunteer = MembershipFactory(role=Role.VOLUNTEER, organisation=ccas, user__first_name="Yann")
    persons = [PersonFactory(organisation=ccas, last_name=name) for name in ("Hamon", "Gicquel")]
    CarePlanFactory(person=persons[0], next_review_on=_days(3))
    FollowUpTaskFactory(person=persons[1], organisation=ccas, due_on=_days(-1))

    login_as(director.user)
    page.goto("/tableau-de-bord/")
    counts = page.locator("#chiffres-structure")
    expect(counts.get_by_role("heading", level=2)).to_have_text("La structure en chiffres")
    expect(counts).to_contain_text("Personnes accompagnées")
    expect(page.get_by_text("HAMON")).to_have_count(0)
    expect(page.get_by_text("Maillage ne produit pas le rapport d'activité annuel")).to_be_visible()
    _shot(page, theme, "9-direction")
    assert_accessible(page, "Tableau de bord de la direction")

    context.clear_cookies()
    login_as(volunteer.user)
    page.goto("/tableau-de-bord/")
    expect(page.get_by_text("Vous ne voyez aucune fiche de personne.")).to_be_visible()
    for panel in ("#taches-a-faire", "#dossiers-partages", "#chiffres-structure"):
        expect(page.locator(panel)).to_have_count(0)
    _shot(page, theme, "10-benevole")
    assert_accessible(page, "Tableau de bord du bénévole")
