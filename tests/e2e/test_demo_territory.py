"""The demo a newcomer opens after `make run`: Ille-et-Vilaine, the territory the source documents
describe. A citizen on a phone finds services of Rennes and Saint-Malo in the public directory; a
reception agent and a coordinator log in with what `seed_demo` printed (password, recovery code,
TOTP secret) and find the CCAS de Rennes's day: its requests, its files in communes of the 35."""

import base64
import re

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

PHONE = {"width": 375, "height": 800}


@pytest.fixture
def printed(context, capsys):
    """`seed_demo` as `make run` calls it (no option: Ille-et-Vilaine); what it printed, by account."""
    capsys.readouterr()
    call_command("seed_demo")
    out = capsys.readouterr().out
    accounts = {}
    for block in re.split(r"\n  (?=\S)", out)[1:]:
        email = re.search(r"(\S+@demo\.maillage\.example)", block).group(1)
        accounts[email.split("@")[0]] = {
            "email": email,
            "secret": re.search(r"clé TOTP : (\S+)", block).group(1),
            "recovery": re.search(r"codes de secours : ([0-9a-z]+)", block).group(1),
        }
    password = re.search(r"mot de passe commun : (\S+)\)", out).group(1)
    return {"password": password, "accounts": accounts}


def no_horizontal_scroll(page):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]


def log_in(page, email: str, password: str, code: str):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/verification/"))
    page.get_by_label("Code de vérification").fill(code)
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    expect(page).not_to_have_url(re.compile(r"/connexion/"))


def test_citizen_on_a_phone_finds_services_of_rennes_and_saint_malo(page, printed, theme):
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_role("link", name="Consulter l'annuaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire des services près de chez vous")

    # « Rennes » typed as the words of the search: the services there come, none of Côte-d'Or.
    page.get_by_label("Rechercher", exact=False).first.fill("Rennes")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=Rennes"))
    results = page.locator("#resultats")
    expect(results.get_by_role("link", name="Téléalarme du CCAS")).to_be_visible()
    expect(results).not_to_contain_text("Dijon")
    no_horizontal_scroll(page)

    # Meals at Rennes, the commune given by its name.
    page.get_by_label("Rechercher", exact=False).first.fill("portage de repas")
    commune = page.get_by_role("textbox", name=re.compile(r"^Commune"))
    if not commune.is_visible():  # on a phone the filters may fold into a panel
        page.get_by_role("button", name=re.compile("Filtrer")).click()
    commune.fill("Rennes")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page).to_have_url(re.compile(r"commune=Rennes"))
    meals = page.get_by_role("link", name="Portage de repas à domicile")
    expect(meals).to_be_visible()
    page.screenshot(path=f"/tmp/demo-public-rennes-375-{theme}.png", caret="initial", full_page=True)
    assert_accessible(page, f"Démo 35 — annuaire public, portage de repas à Rennes ({theme})")
    no_horizontal_scroll(page)

    # The service: the CCAS de Rennes, a real postal code of Rennes, its opening hours, step-free.
    meals.click()
    main = page.locator("main")
    expect(main).to_contain_text("CCAS de Rennes")
    expect(main).to_contain_text(re.compile(r"350(00|200|700) Rennes|Rennes"))
    expect(main).to_contain_text(re.compile(r"lundi", re.IGNORECASE))
    expect(main).to_contain_text(re.compile(r"plain-pied", re.IGNORECASE))
    page.screenshot(path=f"/tmp/demo-public-service-375-{theme}.png", caret="initial", full_page=True)
    assert_accessible(page, f"Démo 35 — fiche publique du portage de repas ({theme})")
    no_horizontal_scroll(page)

    # Elsewhere in the département: Saint-Malo's food aid.
    page.goto("/annuaire/public/?q=%C3%A9picerie&commune=Saint-Malo")
    expect(page.locator("#resultats").get_by_role("link", name="Épicerie solidaire", exact=True)).to_be_visible()


def test_reception_agent_logs_in_with_the_printed_help_and_finds_the_ccas_de_rennes_day(page, printed, theme):
    account = printed["accounts"]["accueil"]
    log_in(page, account["email"], printed["password"], account["recovery"])  # a printed recovery code
    expect(page.locator("#structure-courante")).to_contain_text("CCAS de Rennes")
    page.screenshot(path=f"/tmp/demo-dashboard-accueil-{theme}.png", caret="initial", full_page=True)
    assert_accessible(page, f"Démo 35 — tableau de bord de l'accueil ({theme})")

    # The requests the reception logged, some of them today.
    page.goto("/demandes/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 5
    page.screenshot(path=f"/tmp/demo-requests-{theme}.png", caret="initial", full_page=True)
    assert_accessible(page, f"Démo 35 — demandes du CCAS de Rennes ({theme})")

    # The files: persons living in Rennes (the CCAS's commune), none in Côte-d'Or.
    page.goto("/personnes/?q=Rennes")
    main = page.locator("main")
    expect(main).to_contain_text("Rennes")
    expect(main).not_to_contain_text("Dijon")


def test_coordinator_logs_in_with_the_printed_totp_secret_and_opens_a_plan_in_rennes(page, printed, theme):
    from maillage.casework.models import CarePlan

    account = printed["accounts"]["coordination"]
    code = str(totp(base64.b32decode(account["secret"]))).zfill(6)
    page.set_viewport_size(PHONE)
    log_in(page, account["email"], printed["password"], code)
    expect(page.locator("#structure-courante")).to_contain_text("CCAS de Rennes")
    no_horizontal_scroll(page)

    plan = CarePlan.objects.filter(organisation__name="CCAS de Rennes", status="active").order_by("pk").first()
    page.goto(f"/personnes/{plan.person_id}/")
    expect(page.locator("main")).to_contain_text(plan.person.addresses.first().commune.name)
    page.goto(f"/personnes/{plan.person_id}/plans/{plan.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text(plan.title)
    # A goal of the plan is a need found « not met », answered by a service of the demo directory.
    goal = plan.goals.select_related("need").first()
    expect(main).to_contain_text(goal.need.name)
    page.screenshot(path=f"/tmp/demo-plan-375-{theme}.png", caret="initial", full_page=True)
    assert_accessible(page, f"Démo 35 — plan d'aide, 375 px ({theme})")
    no_horizontal_scroll(page)
