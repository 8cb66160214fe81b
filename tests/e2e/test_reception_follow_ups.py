"""Issue 11, points 1–4 in a real browser, as a reception agent lives them: a relative calls, the
person has no file yet — « Nouvelle personne » keeps what was typed and brings it back; the
person's file takes a commune without a street, a landline and « 9/10/41 »; a request with no
person is refused; a call-back is owned, shows on the dashboard and the list, and is closed; an
orientation names the partner's service from the directory. Desktop and 375 px; axe on each page.
Radios and boxes are ticked with `check(force=True)`: both themes draw the label over the input,
and the click lands on the label as a person's would."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.casework.models import Request
from maillage.core.enums import Role
from maillage.directory.models import Taxonomy
from maillage.people.models import Person
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory, term
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def agent():
    organisation = OrganisationFactory(name="CCAS de Rennes")
    return MembershipFactory(
        organisation=organisation, role=Role.RECEPTION_AGENT, user__first_name="Camille", user__last_name="Accueil"
    )


def shot(page, name):
    page.screenshot(path=f"/tmp/reception-{name}.png", caret="initial", full_page=True)


def test_draft_survives_new_person_whose_file_takes_a_commune_a_landline_and_a_short_date(
    page, login_as, agent, theme
):
    CommuneFactory(code="35238", name="Rennes", postal_codes=["35000", "35200", "35700"])
    CommuneFactory(code="35055", name="Cesson-Sévigné", postal_codes=["35510"])
    need = term(Taxonomy.NEEDS, "se-nourrir")
    login_as(agent.user)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    page.goto("/accueil/")
    # A relative calls about his mother, who has no file yet: the agent types what he says.
    page.get_by_label("Un proche (famille, aidant, voisin)").check(force=True)
    page.get_by_label("Nom du demandeur").click()
    page.keyboard.type("Paul Lefèvre")
    page.get_by_label("Accueil physique").check(force=True)
    page.locator(f"input[name='subjects'][value='{need.pk}']").check(force=True)
    page.get_by_label("Remarques").fill("Sa mère rentre de l'hôpital jeudi, seule à domicile.")

    # Leaving the half-filled form warns (the browser's dialog); staying keeps everything.
    page.get_by_role("link", name="Demandes enregistrées").click()
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    assert dialogs == ["beforeunload"]
    expect(page.get_by_label("Remarques")).to_have_value("Sa mère rentre de l'hôpital jeudi, seule à domicile.")

    # « Nouvelle personne » keeps the draft: no warning, the creation form opens.
    page.get_by_role("button", name="Nouvelle personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle personne")
    assert dialogs == ["beforeunload"]
    page.locator("#id_last_name").fill("Lefèvre")
    page.locator("#id_first_names").fill("Odette")
    page.locator("#id_birth_date").fill("9/10/41")
    page.locator("#id_commune").fill("Cesson-Sévigné")  # no street known yet
    page.locator("#id_phone").fill("02 99 12 34 56")  # a landline
    assert_accessible(page, "Nouvelle personne depuis l'accueil")
    page.set_viewport_size(PHONE)
    shot(page, f"nouvelle-personne-375-{theme}")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Créer la fiche").click()

    # Back at the reception: what was typed is there, the new file chosen.
    expect(page).to_have_url(re.compile(r"/accueil/\?brouillon=[\w-]+&personne=\d+$"))
    person = Person.objects.get()
    expect(page.get_by_role("status").filter(has_text="Votre saisie est reprise")).to_be_visible()
    expect(page.get_by_label("Nom du demandeur")).to_have_value("Paul Lefèvre")
    expect(page.get_by_label("Un proche (famille, aidant, voisin)")).to_be_checked()
    expect(page.get_by_label("Accueil physique")).to_be_checked()
    expect(page.locator(f"input[name='subjects'][value='{need.pk}']")).to_be_checked()
    expect(page.get_by_label("Remarques")).to_have_value("Sa mère rentre de l'hôpital jeudi, seule à domicile.")
    expect(page.locator(f"#personne-{person.pk}")).to_be_checked()
    expect(page.locator(f"label[for='personne-{person.pk}']")).to_contain_text("né·e le 09/10/1941")
    expect(page.locator(f"label[for='personne-{person.pk}']")).to_contain_text("Cesson-Sévigné")
    assert_accessible(page, "Accueil — saisie reprise")
    shot(page, f"saisie-reprise-{theme}")
    page.set_viewport_size(PHONE)
    shot(page, f"saisie-reprise-375-{theme}")
    page.set_viewport_size(DESKTOP)

    # The draft is unsaved until sent: leaving warns at once.
    page.get_by_role("link", name="Demandes enregistrées").click()
    assert dialogs == ["beforeunload", "beforeunload"]
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page).to_have_url(re.compile(r"/accueil/\?demande=\d+$"))
    request = Request.objects.get()
    assert (request.person, request.requester_name, request.channel) == (person, "Paul Lefèvre", "walk_in")
    assert request.notes == "Sa mère rentre de l'hôpital jeudi, seule à domicile."

    # The file: birth date from « 9/10/41 », the commune without a street, the landline as « fixe ».
    assert person.birth_date == datetime.date(1941, 10, 9)
    page.goto(f"/personnes/{person.pk}/")
    expect(page.locator("main")).to_contain_text("35510 Cesson-Sévigné")
    expect(page.locator("main")).to_contain_text("02 99 12 34 56 (fixe, à privilégier)")
    # Found by a search on the commune alone.
    page.goto("/personnes/?q=cesson-sevigne")
    expect(page.get_by_role("link", name=re.compile("Odette LEFÈVRE"))).to_be_visible()


def test_short_date_error_is_french_and_keeps_what_was_typed(page, login_as, agent):
    login_as(agent.user)
    page.goto("/personnes/nouvelle/")
    page.locator("#id_last_name").fill("Martin")
    page.locator("#id_first_names").fill("Jean")
    page.locator("#id_birth_date").fill("31/02/41")
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.locator("main")).to_contain_text("« 31/02/41 » n'est pas une date")
    expect(page.locator("#id_birth_date")).to_have_value("31/02/41")
    assert not Person.objects.exists()
    assert_accessible(page, "Nouvelle personne — date refusée")


def test_request_without_person_nor_anonymous_is_refused_by_name(page, login_as, agent, theme):
    login_as(agent.user)
    page.goto("/accueil/")
    page.get_by_label("Remarques").fill("Demande d'information sur l'APA")
    page.get_by_role("button", name="Enregistrer la demande").click()
    errors = page.locator("#erreurs-demande")
    expect(errors).to_contain_text("La demande n'est pas enregistrée")
    link = errors.get_by_role("link", name="Personne concernée")
    expect(errors).to_contain_text("Aucune personne n'est choisie")
    expect(page.get_by_label("Remarques")).to_have_value("Demande d'information sur l'APA")
    assert not Request.objects.exists()
    assert_accessible(page, "Accueil — personne manquante")
    page.set_viewport_size(PHONE)
    shot(page, f"personne-manquante-375-{theme}")
    page.set_viewport_size(DESKTOP)
    link.click()
    expect(page.locator("#recherche-personne")).to_be_focused()
    # Ticking « Demande anonyme » records it, knowingly.
    page.get_by_label("Demande anonyme (sans fiche)").check(force=True)
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page).to_have_url(re.compile(r"/accueil/\?demande=\d+$"))
    assert Request.objects.get().person is None


def test_call_back_is_owned_listed_and_closed_and_orientation_names_the_partner(page, login_as, agent, theme):
    colleague = MembershipFactory(
        organisation=agent.organisation, role=Role.COORDINATOR, user__first_name="Dominique", user__last_name="Coord"
    )
    clic = ServiceFactory(name="CLIC du Pays de Rennes", description="Information et coordination gérontologique")
    login_as(agent.user)

    # 1. An anonymous caller to be called back: the agent owns it, due tomorrow by default.
    page.goto("/accueil/")
    page.get_by_label("Demande anonyme (sans fiche)").check(force=True)
    page.get_by_label("Un proche (famille, aidant, voisin)").check(force=True)
    page.get_by_label("Nom du demandeur").fill("Mme Bernard")
    page.get_by_label("Suite donnée").select_option(label="À rappeler")
    expect(page.get_by_label("Suite confiée à")).to_have_value(str(agent.user.pk))
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page).to_have_url(re.compile(r"/accueil/\?demande=\d+$"))
    callback = Request.objects.get()
    assert callback.follow_up_owner == agent.user
    assert callback.follow_up_due == timezone.localdate() + datetime.timedelta(days=1)

    # 2. An orientation: the partner's service is found in the directory, given to a colleague.
    page.get_by_label("Demande anonyme (sans fiche)").check(force=True)
    page.get_by_label("Suite donnée").select_option(label="Orientée vers un partenaire")
    page.get_by_label("Suite confiée à").select_option(label="Dominique Coord")
    page.locator("#recherche-partenaire").fill("clic")
    partner = page.locator(f"#partenaire-{clic.pk}")
    expect(partner).to_be_visible()
    partner.check(force=True)
    assert_accessible(page, "Accueil — orientation vers un partenaire")
    page.set_viewport_size(PHONE)
    shot(page, f"orientation-375-{theme}")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page).to_have_url(re.compile(r"/accueil/\?demande=\d+$"))
    oriented = Request.objects.exclude(pk=callback.pk).get()
    assert (oriented.oriented_to, oriented.follow_up_owner) == (clic, colleague.user)
    assert oriented.oriented_on == timezone.localdate()

    # 3. The dashboard: today's requests and my call-backs.
    page.goto("/tableau-de-bord/")
    panel = page.locator("section[aria-labelledby='accueil-du-jour']")
    expect(panel).to_contain_text("Demandes d'aujourd'hui : 2")
    expect(panel).to_contain_text("Mes rappels et suites : 1")
    expect(panel.get_by_role("link", name="Anonyme (Mme Bernard)", exact=True)).to_be_visible()
    expect(panel.get_by_role("link", name=re.compile(r"^\d\d:\d\d — anonyme \(Mme Bernard\)$"))).to_be_visible()
    assert_accessible(page, "Tableau de bord de l'accueil")
    shot(page, f"tableau-de-bord-{theme}")
    page.set_viewport_size(PHONE)
    shot(page, f"tableau-de-bord-375-{theme}")
    page.set_viewport_size(DESKTOP)

    # 4. The list, filtered on my call-backs; then the reception's own page of call-backs.
    page.goto("/demandes/")
    page.get_by_label("Suites et rappels").select_option(label="Mes rappels et suites")
    results = page.locator("#resultats-demandes")
    expect(results).to_contain_text("Camille Accueil, pour le")
    expect(results.locator("tbody tr")).to_have_count(1)
    assert_accessible(page, "Demandes — mes rappels")
    panel_link = page.get_by_role("link", name="Mes rappels et suites")
    panel_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes rappels et suites")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Voir celles de toute la structure").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("CLIC du Pays de Rennes")
    assert_accessible(page, "Rappels et suites de la structure")
    page.set_viewport_size(PHONE)
    shot(page, f"rappels-375-{theme}")
    page.set_viewport_size(DESKTOP)

    # 5. The call-back is edited (later date, a remark), then closed with what came of it.
    page.get_by_role("link", name="Anonyme (Mme Bernard)").click()
    page.get_by_role("link", name="Modifier la demande").click()
    later = timezone.localdate() + datetime.timedelta(days=3)
    page.get_by_label("Suite à donner pour le").fill(later.isoformat())
    page.get_by_label("Remarques").fill("Rappeler après 14 h.")
    assert_accessible(page, "Modifier la demande")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("main")).to_contain_text(f"pour le {later:%d/%m/%Y}")
    expect(page.locator("main")).to_contain_text("Rappeler après 14 h.")
    page.get_by_role("link", name="Clore la demande").click()
    page.get_by_role("button", name="Clore la demande").click()
    expect(page.locator("main")).to_contain_text("Indiquez l'issue de la demande pour la clore.")
    page.get_by_label("Issue de la demande").fill("Rappelée : rendez-vous pris avec l'assistante sociale.")
    assert_accessible(page, "Clore la demande")
    page.get_by_role("button", name="Clore la demande").click()
    expect(page.locator("main")).to_contain_text("Close le")
    expect(page.locator("main")).to_contain_text("Rappelée : rendez-vous pris avec l'assistante sociale.")
    expect(page.get_by_role("link", name="Clore la demande")).to_have_count(0)
    assert_accessible(page, "Demande close")
    shot(page, f"demande-close-{theme}")
    callback.refresh_from_db()
    assert callback.closed_by == agent.user and callback.follow_up_due == later

    # 6. Closed: gone from my call-backs.
    page.goto("/tableau-de-bord/")
    expect(page.locator("section[aria-labelledby='accueil-du-jour']")).to_contain_text("Mes rappels et suites : 0")
