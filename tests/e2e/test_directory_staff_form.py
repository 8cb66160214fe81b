"""The staff's directory journeys in a real browser (issue 11, points 15 to 17): a reception agent
adds a service, picking its communes from a search list by their names, filling in the week's
opening hours and the languages spoken, reads the errors summed up at the top and reaches each field
from there; « Ouvert maintenant » then finds the service (the server's clock stopped). A coordinator
finds the import page in the menu, imports a third party's HSDS file, reads its warnings, imports it
again under another source name (the duplicates are shown, not created) and undoes the first import.
Desktop and 375 px, axe on every page, both themes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.core.territories import load_territories, read_extract
from maillage.directory.models import ImportJob, Service
from tests.conftest import run_task_worker
from tests.core.factories import CommuneFactory, DepartementFactory, MembershipFactory, OrganisationFactory
from tests.directory.test_interop_third_party import BUNDLE
from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]
PARIS = ZoneInfo("Europe/Paris")


def shot(page, theme, name):
    page.screenshot(path=f"/tmp/staffform-{theme}-{name}.png", full_page=True, caret="initial")


@pytest.fixture
def ille():
    departement = DepartementFactory(code="35", name="Ille-et-Vilaine")
    return {
        "rennes": CommuneFactory(
            code="35238", name="Rennes", departement=departement, postal_codes=["35000", "35200"], population=220000
        ),
        "malo": CommuneFactory(
            code="35288", name="Saint-Malo", departement=departement, postal_codes=["35400"], population=47000
        ),
        "marcan": CommuneFactory(
            code="35291", name="Saint-Marcan", departement=departement, postal_codes=["35120"], population=400
        ),
        "betton": CommuneFactory(
            code="35024", name="Betton", departement=departement, postal_codes=["35830"], population=12000
        ),
    }


def pick_commune(page, field, typed: str, option: str) -> None:
    """Type the start of a name, then choose the commune with the arrow keys and Enter."""
    field.fill("")
    field.press_sequentially(typed, delay=30)
    listbox = page.get_by_role("listbox", name="Communes proposées")
    expect(listbox.get_by_role("option", name=option)).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    while listbox.get_by_role("option", name=option).get_attribute("aria-selected") != "true":
        field.press("ArrowDown")
    field.press("Enter")
    expect(listbox).to_be_hidden()


def test_reception_agent_adds_a_service_with_communes_hours_and_languages(page, login_as, ille, theme, monkeypatch):
    agent = MembershipFactory(organisation=OrganisationFactory(name="CCAS de Rennes"), role=Role.RECEPTION_AGENT)
    login_as(agent.user)

    page.goto("/annuaire/services/")
    page.get_by_role("link", name="Ajouter un service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un service à l'annuaire")

    # The address's commune: typed « saint-ma », Saint-Malo picked from the search list.
    page.get_by_label("Adresse du lieu d'accueil").fill("2 rue de la Paix")
    commune = page.get_by_role("combobox", name="Commune du lieu d'accueil")
    pick_commune(page, commune, "saint-ma", "Saint-Malo (35400)")
    expect(commune).to_have_value("Saint-Malo (35400)")
    # The communes served: each choice is added as a line of the list.
    adder = page.get_by_role("combobox", name="Ajouter une commune desservie")
    pick_commune(page, adder, "renn", "Rennes (35000)")
    pick_commune(page, adder, "bett", "Betton (35830)")
    expect(page.get_by_label("Communes desservies")).to_have_value("Rennes (35000)\nBetton (35830)")

    # Opening hours: Tuesday 9:00–12:00 and 14:00–17:30; Monday typed wrong (closing before opening).
    page.get_by_label("Mardi, 1re plage, ouvre à").fill("09:00")
    page.get_by_label("Mardi, 1re plage, ferme à").fill("12:00")
    page.get_by_label("Mardi, 2e plage, ouvre à").fill("14:00")
    page.get_by_label("Mardi, 2e plage, ferme à").fill("17:30")
    page.get_by_label("Lundi, 1re plage, ouvre à").fill("14:00")
    page.get_by_label("Lundi, 1re plage, ferme à").fill("12:00")
    page.get_by_label("Précisions sur les horaires").fill("Fermé en août.")
    for language in ("Arabe", "Langue des signes française (LSF)"):
        page.locator("label", has_text=language).click()  # the label, as a person clicks it (both themes)
        expect(page.get_by_role("checkbox", name=language)).to_be_checked()
    assert_accessible(page, f"formulaire de service rempli ({theme})")
    page.get_by_role("button", name="Enregistrer").click()

    # Two errors (no name, Monday's hours), summed up at the top, which has the focus.
    summary = page.locator("[data-ui-error-summary]")
    expect(summary).to_contain_text("Le formulaire contient 2 erreurs")
    expect(summary).to_be_focused()
    shot(page, theme, "erreurs")
    assert_accessible(page, f"formulaire de service avec erreurs ({theme})")
    summary.get_by_role("link", name="Lundi, 1re plage : fermeture : L'heure de fermeture doit suivre").click()
    expect(page.get_by_label("Lundi, 1re plage, ferme à")).to_be_focused()
    expect(page.locator("#id_hours_0_1_closes_error")).to_contain_text("doit suivre l'heure d'ouverture")
    page.get_by_label("Lundi, 1re plage, ouvre à").fill("")
    page.get_by_label("Lundi, 1re plage, ferme à").fill("")
    # What was typed is still there.
    expect(page.get_by_role("combobox", name="Commune du lieu d'accueil")).to_have_value("Saint-Malo (35400)")
    expect(page.get_by_label("Mardi, 2e plage, ferme à")).to_have_value("17:30")
    summary.get_by_role("link", name="Nom du service : Ce champ est obligatoire.").click()
    expect(page.get_by_label("Nom du service")).to_be_focused()
    page.keyboard.type("Épicerie solidaire du centre")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Épicerie solidaire du centre")
    service = Service.objects.get(name="Épicerie solidaire du centre")
    assert service.locations.get().commune == ille["malo"]
    assert set(service.communes_served.all()) == {ille["rennes"], ille["betton"]}
    assert sorted(service.languages.values_list("name", flat=True)) == ["Arabe", "Langue des signes française (LSF)"]
    expect(page.get_by_text("Mardi 09:00–12:00")).to_be_visible()
    expect(page.get_by_text("Fermé en août.")).to_be_visible()
    Service.objects.filter(pk=service.pk).update(status="published")

    # On a phone: the same form, the week's table without sideways scrolling.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/annuaire/services/{service.pk}/modifier/")
    expect(page.get_by_label("Mardi, 2e plage, ferme à")).to_have_value("17:30")
    expect(page.get_by_role("checkbox", name="Arabe")).to_be_checked()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    shot(page, theme, "telephone")
    assert_accessible(page, f"formulaire de service au téléphone ({theme})")

    # « Ouvert maintenant », the server's clock stopped on a Tuesday at 10:30, then at 13:00 (last: the
    # session's timeouts read the same clock).
    def open_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(ZoneInfo("UTC")))
        page.goto("/annuaire/public/?open_now=on")
        return page.get_by_role("link", name="Épicerie solidaire du centre").count() > 0

    assert open_now(datetime(2026, 12, 8, 10, 30, tzinfo=PARIS))
    assert not open_now(datetime(2026, 12, 8, 13, 0, tzinfo=PARIS))


def test_coordinator_imports_a_third_party_file_sees_warnings_duplicates_and_undoes_it(page, login_as, theme):
    load_territories(read_extract(), departement_codes={"35", "75"})
    organisation = OrganisationFactory(name="CLIC de Rennes")
    coordinator = MembershipFactory(organisation=organisation, role=Role.COORDINATOR)
    volunteer = MembershipFactory(organisation=organisation, role=Role.VOLUNTEER)
    login_as(coordinator.user)

    page.goto("/tableau-de-bord/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Import de l'annuaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importer et exporter les services")
    assert_accessible(page, f"page d'import ({theme})")

    def upload(source):
        page.get_by_label("Format du fichier").select_option(label="Open Referral HSDS 3")
        page.get_by_label("Nom de la source").fill(source)
        page.get_by_label("Fichier à importer").set_input_files(str(BUNDLE))
        page.get_by_role("button", name="Lancer l'import").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Import « hsds_full_ille_et_vilaine.json »")
        run_task_worker()  # the background worker; the page polls until the import is over

    upload("reseau-35")
    expect(page.get_by_text("Import terminé", exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_text("6 services créés, 0 mis à jour.")).to_be_visible()
    expect(page.get_by_role("heading", name="À vérifier : 6 avertissements")).to_be_visible()
    expect(
        page.get_by_text("Zone desservie « Rennes Métropole » : lue comme l'intercommunalité (43 communes).")
    ).to_be_visible()
    shot(page, theme, "import-avertissements")
    assert_accessible(page, f"import terminé avec avertissements ({theme})")
    first = ImportJob.objects.get()

    # The same file under another source name: the duplicates are shown, nothing is written.
    page.goto("/annuaire/import-export/")
    upload("autre-nom")
    expect(page.get_by_text("Doublons probables : rien n'a encore été enregistré")).to_be_visible(timeout=15_000)
    assert Service.objects.count() == 6
    expect(page.get_by_role("radio", name="Ne pas l'importer")).to_have_count(6)
    for radio in page.get_by_role("radio", name="Ne pas l'importer").all():
        expect(radio).to_be_checked()  # nothing lost by default
    shot(page, theme, "doublons")
    assert_accessible(page, f"doublons probables ({theme})")
    page.get_by_role("button", name="Poursuivre l'import").click()
    run_task_worker()
    expect(page.get_by_text("Import terminé", exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_text("0 service créé, 0 mis à jour.")).to_be_visible()
    assert Service.objects.count() == 6

    # The first import undone: its six services are gone.
    page.goto(f"/annuaire/import-export/imports/{first.pk}/")
    page.get_by_role("button", name="Annuler cet import").click()
    expect(
        page.get_by_text("L'import est annulé : 6 services supprimés, 0 remis dans leur état d'avant")
    ).to_be_visible()
    expect(page.get_by_text("Import annulé", exact=True)).to_be_visible()
    assert Service.objects.count() == 0
    assert_accessible(page, f"import annulé ({theme})")

    # A volunteer has no import in the menu, and the address answers « not found ».
    page.context.clear_cookies()
    login_as(volunteer.user)
    page.goto("/tableau-de-bord/")
    expect(
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Annuaire", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("link", name="Import de l'annuaire")).to_have_count(0)
    response = page.goto("/annuaire/import-export/")
    assert response.status == 404
