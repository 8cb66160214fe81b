"""The register manager imports a list transmitted by the CAF in a real browser (issue 13, point 2):
a first file with a broken row is previewed with every error and cannot be confirmed; the corrected
file shows the health column it will not read, a look-alike to decide on, then the confirmation
writes the pending entries. Desktop and 375 px, axe on every page, both themes."""

import datetime

import pytest
from playwright.sync_api import expect

from maillage.people.models import Person
from maillage.register.models import RegisterEntry
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonFactory
from tests.register.import_factories import HEADER, communes, csv_bytes, manager, row

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def send(page, content: bytes, name: str) -> None:
    page.goto("/registre/import/")
    page.get_by_label("Liste transmise par la CAF").check(force=True)
    page.get_by_label("Fichier de la liste").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Voir l'aperçu").click()


def test_manager_imports_a_transmitted_list(page, login_as, theme):
    communes()
    boss = manager()
    PersonFactory(
        organisation=boss.organisation, last_name="Martin", first_names="Jeanne", birth_date=datetime.date(1941, 3, 12)
    )
    login_as(boss.user)

    page.goto("/registre/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer une liste transmise au registre")
    assert_accessible(page, "import d'une liste : envoi")

    # A file with a broken row: every error, with its line, and no confirmation.
    broken = csv_bytes([row(nom="Dubois"), row(nom="Faux", date="31/02/1940"), row(nom="Petit", tel="12")])
    send(page, broken, "liste-caf.csv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l'import")
    expect(
        page.get_by_text("Ligne 3 : colonne « date de naissance » : « 31/02/1940 » n'est pas une date")
    ).to_be_visible()
    expect(page.get_by_text("Ligne 4 : colonne « téléphone » : « 12 »")).to_be_visible()
    expect(page.get_by_role("button", name="Confirmer l'import")).to_have_count(0)
    assert_accessible(page, "import d'une liste : aperçu refusé")
    page.screenshot(path=f"/tmp/register-import-{theme}-refused.png", full_page=True)
    page.get_by_role("button", name="Abandonner cet import").click()
    expect(page.get_by_text("Import abandonné")).to_be_visible()

    # The corrected file: a benefit column not read, a look-alike of an existing file to decide on.
    good = csv_bytes(
        [[*row(nom="Dubois", prenom="Marcel", date="05/11/1936"), "AAH"], [*row(nom="Martine"), ""]],
        header=[*HEADER, "Prestation"],
    )
    send(page, good, "liste-caf.csv")
    expect(page.get_by_text("La colonne « Prestation » n'a pas été lue")).to_be_visible()
    expect(
        page.get_by_role(
            "group", name="Ligne 3 : une ou plusieurs fiches ressemblent à cette personne. Laquelle est-ce ?"
        )
    ).to_be_visible()
    assert_accessible(page, "import d'une liste : aperçu à départager")
    page.screenshot(path=f"/tmp/register-import-{theme}-preview.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page, "import d'une liste : aperçu, 375 px")
    page.screenshot(path=f"/tmp/register-import-{theme}-preview-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("Choisissez une fiche ou une nouvelle fiche.")).to_be_visible()
    assert Person.objects.count() == 1
    page.get_by_label("Une autre personne : créer une nouvelle fiche").check(force=True)
    page.get_by_role("button", name="Confirmer l'import").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inscriptions importées")
    expect(
        page.get_by_text("Import terminé : 2 inscriptions en attente du consentement (2 fiches créées).")
    ).to_be_visible()
    table = page.get_by_role("table", name="Inscriptions créées par cet import")
    expect(table.get_by_role("row", name="Marcel DUBOIS")).to_contain_text("En attente du consentement")
    expect(table.get_by_role("row", name="Jeanne MARTINE")).to_contain_text("Personne âgée de 65 ans et plus")
    assert_accessible(page, "import d'une liste : inscriptions importées")
    assert RegisterEntry.objects.pending().count() == 2
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/registre/import/")
    assert_accessible(page, "import d'une liste : envoi, 375 px")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
