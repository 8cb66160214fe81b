"""A heatwave from activation to end, as the register manager lives it: activate the plan, watch
the dashboard (also on a 375 px phone), handle an alert, download the prefect's transmission, end
the crisis. axe on each page."""

import re

import pytest
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.register.enums import CallStatus
from maillage.register.models import Crisis, PrefectTransmission
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.e2e.axe import assert_accessible
from tests.register.crisis_factories import CallFactory, CampaignFactory, CrisisEntryFactory, EscalationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def _no_horizontal_scroll(page):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"la page déborde de {overflow} px"


def test_heatwave_from_activation_to_end(page, login_as):
    ccas = OrganisationFactory(name="CCAS de Rennes")
    rennes = CommuneFactory(code="35238", name="Rennes", postal_codes=["35000"])
    cesson = CommuneFactory(code="35051", name="Cesson-Sévigné", postal_codes=["35510"])
    ccas.communes_served.set([rennes, cesson])
    manager = MembershipFactory(organisation=ccas, role=Role.REGISTER_MANAGER)
    for _ in range(2):
        CrisisEntryFactory(organisation=ccas, commune=rennes)
    login_as(manager.user)

    # 1. Activate a heatwave over Rennes.
    page.goto("/crises/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Crises")
    assert_accessible(page, "Liste des crises")
    page.get_by_role("link", name="Déclencher un plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclencher un plan")
    assert_accessible(page, "Déclencher un plan")
    page.get_by_role("radio", name="Canicule", exact=True).check(force=True)
    page.get_by_label(re.compile("Niveau 3")).check(force=True)
    page.get_by_label("Rennes (35000)").check(force=True)
    page.get_by_label("Intitulé").fill("Canicule de juillet")
    page.get_by_role("button", name="Déclencher le plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Canicule de juillet")
    assert_accessible(page, "Page de la crise")
    crisis = Crisis.objects.get()

    # The calls' services fill the campaign in real life: here, made directly.
    campaign = CampaignFactory(crisis=crisis, title="Premiers appels")
    caller = UserFactory(first_name="Bruno", last_name="Bénévole")
    CallFactory(campaign=campaign, status=CallStatus.DONE, outcome="reached_fine", assigned_to=caller)
    unreachable = CallFactory(campaign=campaign, status=CallStatus.DONE, outcome="unreachable", assigned_to=caller)
    alert = EscalationFactory(call=unreachable)
    CallFactory(campaign=campaign, status=CallStatus.RETRY, assigned_to=caller)

    # 2. The dashboard, refreshing on its own.
    page.get_by_role("link", name="Tableau de bord de la crise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    expect(page.get_by_text(re.compile(r"Mis à jour à \d\d:\d\d"))).to_be_visible()
    assert page.locator("#tableau-crise").get_attribute("hx-trigger") == "every 30s"
    expect(page.get_by_role("table", name="Appels par appelant")).to_contain_text("Bruno Bénévole")
    assert_accessible(page, "Tableau de bord de la crise")
    # A refresh keeps the keyboard's place: focus a link of the region, refresh, the same link has it.
    link = page.locator(f"#traiter-{alert.pk}")
    link.focus()
    page.evaluate("() => htmx.ajax('GET', location.pathname, {target: '#tableau-crise', swap: 'innerHTML'})")
    page.wait_for_timeout(500)
    assert page.evaluate("() => document.activeElement.id") == f"traiter-{alert.pk}"

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    _no_horizontal_scroll(page)
    assert_accessible(page, "Tableau de bord de la crise, téléphone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 3. Handle the alert.
    page.locator(f"#traiter-{alert.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Traiter une alerte")
    assert_accessible(page, "Traiter une alerte")
    page.get_by_label("Visite à domicile").check(force=True)
    page.get_by_label("Précisions").fill("Passage de l'agent à 15 h, tout va bien.")
    page.get_by_role("button", name="Enregistrer la suite donnée").click()
    expect(page.get_by_text("Aucune alerte à traiter.")).to_be_visible()
    alert.refresh_from_db()
    assert alert.handled_at is not None

    # 4. The prefect's transmission.
    page.goto(f"/crises/{crisis.pk}/")
    page.get_by_label("Tableur (CSV)").check(force=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Produire la transmission").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as exported:
        content = exported.read()
    assert content.splitlines()[0].startswith("Nom;Prénom(s);Date de naissance")
    assert PrefectTransmission.objects.get().entry_count == 2
    page.reload()
    expect(page.get_by_role("table", name="Transmissions au préfet")).to_contain_text("CSV")

    # 5. End the crisis.
    page.get_by_role("link", name="Lever la crise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lever la crise")
    assert_accessible(page, "Lever la crise")
    page.get_by_label("Je confirme la levée de la crise").check(force=True)
    page.get_by_role("button", name="Lever la crise").click()
    expect(page.get_by_text(re.compile("Crise levée"))).to_be_visible()
    crisis.refresh_from_db()
    assert crisis.ended_at is not None
    assert not crisis.campaigns.get().calls.open().exists()
