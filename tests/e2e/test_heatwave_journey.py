"""Issue 13, "Done when", in one journey through the browser, as new users live it.

A register manager registers four persons (one on the public form for herself, one reported by a
neighbour whose consent the manager then records, one typed back from the paper form, one from an
imported CSV list); a volunteer signs the charter; the manager activates a heatwave, builds a
campaign and opens it (its calls dispatched); the volunteer takes the calls on a phone and records
a level 2 (friendly calls), a level 3 (a task to put the person in touch with the CLIC) and three
tries without an answer, which escalate on the live dashboard where the manager handles the alert;
the next morning the follow-up calls are there for the volunteer; the manager ends the crisis and,
three months later, the retention task destroys its calls and keeps their counts.

Only the world (organisations, accounts, communes) is seeded, and the server's clock is moved:
everything else goes through the pages. Axe audits each distinct page, on both themes.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from maillage.casework.models import FollowUpTask
from maillage.core.enums import OrganisationKind, Role
from maillage.register.enums import CallPurpose, CallStatus, EntryStatus, EscalationReason
from maillage.register.models import Call, CallCampaign, Crisis, Escalation, RegisterEntry
from maillage.register.services.orientation import REFERRAL_TASK
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.e2e.axe import assert_accessible
from tests.register.import_factories import csv_bytes, row

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


class ServerClock:
    """The server's clock (django.utils.timezone.now), set to a chosen moment and running from there.
    The live server runs in this process: its requests, the services and the commands read it."""

    def __init__(self, monkeypatch):
        self._real_now = timezone.now
        self._offset = datetime.timedelta(0)
        monkeypatch.setattr(timezone, "now", lambda: self._real_now() + self._offset)

    def set(self, moment: datetime.datetime) -> None:
        self._offset = moment - self._real_now()

    def advance(self, delta: datetime.timedelta) -> None:
        self._offset += delta


def at_local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """`day` at `hour`:`minute`, Paris time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def submit(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).first.click()
    page.wait_for_load_state("load")


def answer_grid(page, answers: dict[str, str]) -> None:
    """Fill the phone fragility grid: question (its legend) → answer (its label)."""
    page.get_by_text("Repérage de la fragilité").click()  # unfold the grid
    for question, answer in answers.items():
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check(force=True)


# The default grid's questions (casework/fragility.py) and the neutral answers of a person doing well.
VIT_SEUL = "Vivez-vous seul(e) à votre domicile ?"
CONTACTS = "À quelle fréquence avez-vous des nouvelles de vos proches (visite ou appel) ?"
AIDE = "Quelqu'un peut-il vous aider en cas de besoin (courses, repas, démarches) ?"
AIDANT = "Votre proche aidant est-il en mesure de continuer à vous aider ?"
COURSES = "Arrivez-vous à faire vos courses et à préparer vos repas ?"
TRAITEMENT = "Avez-vous vos médicaments et pouvez-vous suivre votre traitement ?"
SANTE = "Comment va votre santé en ce moment ?"
CHUTE = "Êtes-vous tombé(e) ces dernières semaines ?"
MORAL = "Comment est votre moral ?"
DANGER = (
    "L'appelant constate-t-il un danger immédiat (malaise, détresse, confusion inhabituelle, "
    "absence de nourriture ou de chauffage) ?"
)
DOING_WELL = {
    VIT_SEUL: "Non",
    CONTACTS: "Au moins une fois par semaine",
    AIDE: "Oui",
    AIDANT: "Pas d'aidant / sans objet",
    COURSES: "Oui",
    TRAITEMENT: "Pas de traitement",
    SANTE: "Comme d'habitude",
    CHUTE: "Non",
    MORAL: "Bon",
    DANGER: "Non",
}
# Lives alone and hears from nobody but rarely: isolated, no medical problem → level 2.
ISOLATED = DOING_WELL | {VIT_SEUL: "Oui", CONTACTS: "Moins d'une fois par semaine"}
# The same, with a new health problem → level 3.
ISOLATED_AND_UNWELL = ISOLATED | {SANTE: "Un problème nouveau ou qui s'aggrave"}


def test_a_heatwave_from_the_register_to_the_retention_of_its_calls(page, context, login_as, monkeypatch, tmp_path):
    clock = ServerClock(monkeypatch)
    # Today at 10:00, Paris time: the calls are made in the daytime.
    day_one = timezone.localdate()
    clock.set(at_local(day_one, 10))

    # The world: a CCAS serving Rennes, its register manager, a volunteer, and the CLIC of Rennes.
    ccas = OrganisationFactory(name="CCAS de Rennes", phone="02 99 28 55 55")
    rennes = CommuneFactory(code="35238", name="Rennes", postal_codes=["35000"])
    ccas.communes_served.add(rennes)
    clic = OrganisationFactory(name="CLIC Noé de Rennes", kind=OrganisationKind.CLIC)
    clic.communes_served.add(rennes)
    manager = MembershipFactory(
        organisation=ccas, role=Role.REGISTER_MANAGER, user__first_name="Rose", user__last_name="Registre"
    ).user
    volunteer = MembershipFactory(
        organisation=ccas, role=Role.VOLUNTEER, user__first_name="Gaëlle", user__last_name="Le Gall"
    ).user

    def log_in(user, viewport=DESKTOP):
        context.clear_cookies()
        page.set_viewport_size(viewport)
        login_as(user)

    # --- Step 1: four ways onto the register ---------------------------------------------------------

    # 1a. Yvonne registers herself on the public form: her own consent, active at once.
    page.goto("/registre/s-inscrire/")
    assert_accessible(page, "S'inscrire au registre")
    page.get_by_role("link", name="Demander une inscription en ligne").click()
    assert_accessible(page, "Formulaire public d'inscription")
    page.get_by_label("Moi-même").check(force=True)
    page.get_by_label("Nom de la personne à inscrire").fill("Guillou")
    page.locator("#id_first_names").fill("Yvonne")
    page.get_by_label("Date de naissance").fill("12/03/1940")
    page.locator("#id_address_line").fill("8 rue de Saint-Malo")
    page.locator("#id_commune").select_option(label="Rennes (35000)")
    page.get_by_label("Téléphone de la personne").fill("02 99 11 22 33")
    page.get_by_label("Personne âgée de 65 ans et plus").check(force=True)
    page.get_by_label("J'ai lu le texte ci-dessus et j'accepte l'inscription").check(force=True)
    submit(page, "Envoyer la demande")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est envoyée")
    assert_accessible(page, "Demande envoyée")

    # 1b. A neighbour reports Marcel: pending until Marcel agrees.
    page.goto("/registre/s-inscrire/")
    page.get_by_role("link", name=re.compile("Signaler une personne qui vous inquiète")).click()
    assert_accessible(page, "Signalement d'un tiers")
    page.get_by_label("Voisin ou voisine").check(force=True)
    page.get_by_label("Votre nom et prénom").fill("Anne Morvan")
    page.get_by_label("Comment vous joindre").fill("06 11 22 33 44")
    page.get_by_label("Nom de la personne").fill("Le Goff")
    page.locator("#id_first_names").fill("Marcel")
    page.get_by_label("Date de naissance").fill("05/11/1936")
    page.locator("#id_address_line").fill("14 boulevard de la Liberté")
    page.locator("#id_commune").select_option(label="Rennes (35000)")
    page.get_by_label("Téléphone de la personne").fill("02 99 44 55 66")
    page.get_by_label("Ce qui vous inquiète").fill("Il vit seul et ne sort plus depuis les premières chaleurs.")
    submit(page, "Envoyer le signalement")
    assert_accessible(page, "Signalement envoyé")

    # The manager sees both, and records Marcel's consent, given on the phone.
    log_in(manager)
    page.goto("/registre/")
    assert_accessible(page, "Registre")
    page.goto("/registre/?status=pending_consent")
    page.get_by_role("link", name="Marcel LE GOFF").click()
    expect(page.get_by_text("En attente du consentement").first).to_be_visible()
    assert_accessible(page, "Inscription en attente")
    page.get_by_role("link", name="Noter l'accord de la personne").click()
    assert_accessible(page, "Noter l'accord")
    page.get_by_label("Oral (recueilli par un agent)").check(force=True)
    page.get_by_label("Personne âgée de 65 ans et plus").check(force=True)
    submit(page, "Noter son accord")
    expect(page.get_by_text("son inscription au registre est active")).to_be_visible()

    # 1c. Louis's paper form, signed yesterday, typed back.
    page.goto("/registre/saisie-formulaire-papier/")
    assert_accessible(page, "Saisie d'un formulaire papier")
    page.get_by_label("Moi-même").check(force=True)
    page.get_by_label("Nom de la personne à inscrire").fill("Tanguy")
    page.locator("#id_first_names").fill("Louis")
    page.get_by_label("Date de naissance").fill("01/02/1944")
    page.locator("#id_address_line").fill("3 quai Lamartine")
    page.locator("#id_commune").select_option(label="Rennes (35000)")
    page.get_by_label("Téléphone de la personne").fill("02 99 65 43 21")
    page.get_by_label("Personne âgée de 65 ans et plus").check(force=True)
    page.get_by_label("La case « J'accepte l'inscription » est cochée").check(force=True)
    page.get_by_label("Date de la signature").fill((day_one - datetime.timedelta(days=1)).isoformat())
    submit(page, "Enregistrer le formulaire")
    expect(page.get_by_text("Le formulaire papier est saisi.")).to_be_visible()
    assert_accessible(page, "Formulaire papier saisi")

    # 1d. A list transmitted by the CAF (a CSV file): Jeanne, pending her consent.
    page.goto("/registre/import/")
    assert_accessible(page, "Import d'une liste")
    page.get_by_label("Liste transmise par la CAF").check(force=True)
    transmitted = tmp_path / "liste-caf.csv"
    jeanne = row(
        nom="Riou", prenom="Jeanne", date="20/06/1939", adresse="2 rue Nantaise", cp="35000", commune="Rennes"
    )
    transmitted.write_bytes(csv_bytes([jeanne]))
    page.get_by_label("Fichier de la liste").set_input_files(str(transmitted))
    submit(page, "Voir l'aperçu")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l'import")
    assert_accessible(page, "Aperçu de l'import")
    submit(page, "Confirmer l'import")
    expect(page.get_by_text("Import terminé : 1 inscription en attente du consentement")).to_be_visible()
    assert_accessible(page, "Inscriptions importées")

    entries = {e.person.last_name.upper(): e for e in RegisterEntry.objects.select_related("person")}
    assert {name: e.status for name, e in entries.items()} == {
        "GUILLOU": EntryStatus.ACTIVE,
        "LE GOFF": EntryStatus.ACTIVE,
        "TANGUY": EntryStatus.ACTIVE,
        "RIOU": EntryStatus.PENDING_CONSENT,
    }

    # --- Step 2: the volunteer signs the charter (no call before it) ---------------------------------
    log_in(volunteer, PHONE)
    page.goto("/appels/")
    expect(page.get_by_text("Avant votre premier appel, lisez et signez la charte")).to_be_visible()
    assert_accessible(page, "Mes appels, charte à signer")
    page.get_by_role("link", name="Lire et signer la charte").click()
    assert_accessible(page, "Charte des appelants")
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check(force=True)
    submit(page, "Signer la charte")
    expect(page.get_by_text("Vous avez signé cette charte")).to_be_visible()

    # --- Step 3: the manager activates a heatwave, builds the campaign, opens it -----------------------
    log_in(manager)
    page.goto("/crises/")
    assert_accessible(page, "Crises")
    page.get_by_role("link", name="Déclencher un plan").click()
    assert_accessible(page, "Déclencher un plan")
    page.get_by_role("radio", name="Canicule", exact=True).check(force=True)
    page.get_by_label(re.compile("Niveau 3")).check(force=True)
    page.get_by_label("Rennes (35000)").check(force=True)
    page.get_by_label("Intitulé").fill("Canicule de juillet")
    submit(page, "Déclencher le plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Canicule de juillet")
    assert_accessible(page, "Page de la crise")
    crisis = Crisis.objects.get()

    page.goto("/campagnes/")
    assert_accessible(page, "Campagnes")
    page.get_by_role("link", name="Nouvelle campagne").click()
    # Jeanne's consent is still pending: she is not called.
    expect(page.locator("#nombre-appels")).to_contain_text("3 personnes inscrites seront appelées")
    assert_accessible(page, "Nouvelle campagne")
    page.get_by_label("Intitulé").fill("Canicule de juillet : premier appel")
    page.get_by_role("checkbox", name="Gaëlle Le Gall", exact=True).check(force=True)
    submit(page, "Préparer la campagne")
    expect(page.get_by_role("heading", name="Guide d'entretien")).to_be_visible()
    assert_accessible(page, "Guide d'entretien")
    page.get_by_label("Ce que la commune propose").fill("Salle rafraîchie à la mairie, de 14 h à 18 h.")
    submit(page, "Enregistrer le guide")
    expect(page.get_by_text("Le guide d'entretien est enregistré.")).to_be_visible()
    page.get_by_role("link", name="Ouvrir la campagne").click()
    assert_accessible(page, "Ouvrir la campagne")
    submit(page, "Ouvrir la campagne")
    expect(page.get_by_text("La campagne est ouverte : 3 appels attribués")).to_be_visible()
    assert_accessible(page, "Campagne ouverte")
    campaign = CallCampaign.objects.get(crisis=crisis)
    assert campaign.calls.filter(assigned_to=volunteer).count() == 3

    # --- Step 4: the volunteer takes the calls on a phone ------------------------------------------
    log_in(volunteer, PHONE)
    page.goto("/appels/")
    expect(page.get_by_text("3 appels à faire maintenant")).to_be_visible()
    assert_accessible(page, "Mes appels")

    def open_call(name: str) -> None:
        page.goto("/appels/")
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # Yvonne: reached, lives alone, rarely hears from anyone → level 2.
    open_call("Yvonne GUILLOU")
    expect(page.locator("a[href='tel:+33299112233']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "Fiche d'appel")
    page.get_by_role("radio", name="Jointe, tout va bien", exact=True).check(force=True)
    answer_grid(page, ISOLATED)
    submit(page, "Enregistrer l'issue")
    expect(page.get_by_text("Appel enregistré : la personne va bien.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Un appel de (vigilance|convivialité) vous est confié"))).to_be_visible()
    assert_accessible(page, "Appel enregistré")

    # Marcel: reached, isolated, a new health problem → level 3.
    open_call("Marcel LE GOFF")
    expect(page.locator("a[href='tel:+33299445566']")).to_be_visible()
    page.get_by_role("radio", name="Jointe, tout va bien", exact=True).check(force=True)
    answer_grid(page, ISOLATED_AND_UNWELL)
    submit(page, "Enregistrer l'issue")
    expect(page.get_by_text("Appel enregistré : la personne va bien.")).to_be_visible()

    yvonne, marcel, louis = (entries[name] for name in ("GUILLOU", "LE GOFF", "TANGUY"))
    first_calls = Call.objects.filter(campaign=campaign, purpose=CallPurpose.EVALUATION, entry__in=[yvonne, marcel])
    assert dict(first_calls.values_list("entry", "fragility_level")) == {yvonne.pk: 2, marcel.pk: 3}
    # Level 2: a friendly call every week in the standing campaign, and a watch call tomorrow.
    friendly = Call.objects.get(entry=yvonne, purpose=CallPurpose.FRIENDLY)
    assert friendly.campaign.standing and friendly.assigned_to == volunteer
    assert timezone.localtime(friendly.due_at) == at_local(day_one + datetime.timedelta(days=7), 9)
    # Level 3: the same, and a task for the manager to put Marcel in touch with the CLIC.
    assert Call.objects.filter(entry=marcel, purpose=CallPurpose.FRIENDLY, status=CallStatus.ASSIGNED).exists()
    referral = FollowUpTask.objects.get(person=marcel.person, title__startswith=REFERRAL_TASK)
    assert referral.title.endswith("(CLIC Noé de Rennes)") and referral.assignee == manager
    assert not FollowUpTask.objects.filter(person=yvonne.person, title__startswith=REFERRAL_TASK).exists()

    # Louis does not answer: tried again after 60 then 180 minutes (the server's clock moved), the
    # third try without an answer marks him unreachable and escalates at once.
    open_call("Louis TANGUY")
    expect(page.locator("a[href='tel:+33299654321']")).to_be_visible()
    page.get_by_role("radio", name="Pas de réponse", exact=True).check(force=True)
    submit(page, "Enregistrer l'issue")
    expect(page.get_by_text("Pas de réponse : nouvel essai prévu à 11 h")).to_be_visible()
    page.goto("/appels/")
    expect(page.get_by_role("link", name="Louis TANGUY", exact=True)).to_have_count(0)
    for wait in (61, 181):
        clock.advance(datetime.timedelta(minutes=wait))
        log_in(volunteer, PHONE)
        open_call("Louis TANGUY")
        page.get_by_role("radio", name="Pas de réponse", exact=True).check(force=True)
        submit(page, "Enregistrer l'issue")
    expect(page.get_by_text("la personne est signalée injoignable")).to_be_visible()
    expect(page.get_by_text("Alerte transmise au gestionnaire du registre")).to_be_visible()
    alert = Escalation.objects.get(entry=louis, handled_at__isnull=True)
    assert alert.reason == EscalationReason.UNREACHABLE and alert.call.attempts == 3

    # --- Step 5: the alert on the live dashboard; the manager handles it ---------------------------
    log_in(manager)
    page.goto(f"/crises/{crisis.pk}/")
    page.get_by_role("link", name="Tableau de bord de la crise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    assert page.locator("#tableau-crise").get_attribute("hx-trigger") == "every 30s"
    expect(page.locator("#tableau-crise")).to_contain_text("Louis TANGUY")
    assert_accessible(page, "Tableau de bord de la crise")
    page.locator(f"#traiter-{alert.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Traiter une alerte")
    assert_accessible(page, "Traiter une alerte")
    page.get_by_label("Visite à domicile").check(force=True)
    page.get_by_label("Précisions").fill("Passage de l'agent à 16 h : il dormait, tout va bien.")
    submit(page, "Enregistrer la suite donnée")
    expect(page.get_by_text("Aucune alerte à traiter.")).to_be_visible()

    # The level 3 task waits in Marcel's file: put him in touch with the CLIC of his commune.
    page.goto("/registre/")
    page.get_by_role("link", name="Marcel LE GOFF").click()
    page.get_by_role("link", name="Fiche de la personne").click()
    assert_accessible(page, "Fiche de la personne")
    page.get_by_role("link", name="Notes et tâches").click()
    expect(
        page.get_by_text(re.compile(r"Mise en relation avec le CLIC.*\(CLIC Noé de Rennes\)")).first
    ).to_be_visible()
    assert_accessible(page, "Notes et tâches")

    # --- Step 6: the next morning, the follow-up calls are there for the volunteer ------------------
    clock.set(at_local(day_one + datetime.timedelta(days=1), 9, 5))
    log_in(volunteer, PHONE)
    page.goto("/appels/")
    heatwave = page.get_by_role("region", name="Canicule de juillet : premier appel")
    expect(heatwave).to_contain_text("2 appels à faire maintenant")
    expect(heatwave.get_by_role("link", name="Yvonne GUILLOU", exact=True)).to_be_visible()
    expect(heatwave.get_by_role("link", name="Marcel LE GOFF", exact=True)).to_be_visible()
    # The weekly friendly calls (levels 2 and 3) are there too, for later.
    expect(page.get_by_role("region", name="Appels de suivi")).to_contain_text("2 autres appels prévus plus tard")
    assert_accessible(page, "Mes appels, le lendemain")
    open_call("Yvonne GUILLOU")
    expect(page.get_by_text("Appel de vigilance")).to_be_visible()

    # --- Step 7: the manager ends the crisis; three months later its calls are destroyed -----------
    log_in(manager)
    page.goto(f"/crises/{crisis.pk}/")
    page.get_by_role("link", name="Lever la crise").click()
    assert_accessible(page, "Lever la crise")
    page.get_by_label("Je confirme la levée de la crise").check(force=True)
    submit(page, "Lever la crise")
    expect(page.get_by_text(re.compile("Crise levée"))).to_be_visible()
    assert_accessible(page, "Crise levée")
    crisis_calls = Call.objects.filter(campaign__crisis=crisis)
    assert crisis_calls.count() == 5 and not crisis_calls.open().exists()

    clock.set(at_local(day_one + datetime.timedelta(days=1), 9, 5) + datetime.timedelta(days=93))
    call_command("apply_retention", verbosity=0)
    crisis.refresh_from_db()
    assert crisis.purged_at is not None
    assert not Call.objects.filter(campaign__crisis=crisis).exists()
    assert not Escalation.objects.filter(entry=louis).exists()
    counts = CallCampaign.objects.get(pk=campaign.pk).selection["purged_counts"]
    assert counts["calls"] == 5 and counts["alerts"] == 1 and counts["tries"] == 5
    # The register and the friendly calls outside the crisis stay.
    assert RegisterEntry.objects.filter(status=EntryStatus.ACTIVE).count() == 3
    assert Call.objects.filter(purpose=CallPurpose.FRIENDLY, campaign__standing=True).count() == 2

    log_in(manager)
    page.goto(f"/crises/{crisis.pk}/")
    expect(page.locator("main")).to_contain_text(re.compile(r"Données de la crise\s*Détruites le"))
    expect(page.get_by_text("5 appels, dont 3 terminés et 2 annulés à la levée ; 1 alerte.")).to_be_visible()
    expect(page.get_by_text("Aucun appel pour cette crise")).to_have_count(0)
    assert_accessible(page, "Crise dont les données sont détruites")
