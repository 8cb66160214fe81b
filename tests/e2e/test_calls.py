"""Issue 13, points 4 and 8 in a real browser: the register manager builds a heatwave campaign, reads
and edits its interview guide, opens it; a volunteer on a phone (375 px) takes the next call, sees
the tap-to-call links, records « pas de réponse » three times (the escalation reaches the manager's
campaign page) and, for another person, the needs found. Axe on each page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.register.enums import CrisisKind, Outcome
from maillage.register.models import Call, CallCampaign, Crisis, Escalation
from tests.e2e.axe import assert_accessible
from tests.register.campaign_factories import manager_of, registered_person, volunteer_of

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

PHONE = {"width": 375, "height": 800}


def _submit(page, label):
    page.get_by_role("button", name=label).first.click()
    page.wait_for_load_state("load")


def test_manager_builds_and_opens_a_campaign_and_a_volunteer_takes_its_calls_on_a_phone(page, context, login_as):
    manager = manager_of()
    organisation = manager.organisation
    volunteer = volunteer_of(organisation)
    first = registered_person(manager.user, priority=1)
    second = registered_person(manager.user)
    Crisis.objects.create(
        organisation=organisation, kind=CrisisKind.HEATWAVE, title="Canicule d'août", activated_by=manager.user
    )

    # The register manager builds the campaign.
    login_as(manager.user)
    page.goto("/campagnes/")
    assert_accessible(page, "campagnes")
    page.get_by_role("link", name="Nouvelle campagne").click()
    expect(page.locator("#nombre-appels")).to_contain_text("2 personnes inscrites seront appelées")
    assert_accessible(page, "nouvelle campagne")
    page.get_by_role("radio", name="Les personnes prioritaires seulement", exact=True).check(force=True)
    expect(page.locator("#nombre-appels")).to_contain_text("1 personne inscrite sera appelée")
    page.get_by_role("radio", name="Toutes les personnes inscrites", exact=True).check(force=True)
    expect(page.locator("#nombre-appels")).to_contain_text("2 personnes inscrites seront appelées")
    page.get_by_label("Intitulé").fill("Canicule d'août : premier appel")
    page.get_by_role("checkbox", name=volunteer.user.get_full_name(), exact=True).check(force=True)
    _submit(page, "Préparer la campagne")
    expect(page.get_by_role("heading", name="Guide d'entretien")).to_be_visible()
    assert "0 800 06 66 66" in page.get_by_label("Conseils d'hygiène et de santé pour cet événement").input_value()
    assert_accessible(page, "guide d'entretien")
    page.get_by_label("Ce que la commune propose").fill("Salle rafraîchie à la mairie, de 14 h à 18 h.")
    _submit(page, "Enregistrer le guide")
    expect(page.get_by_text("Le guide d'entretien est enregistré.")).to_be_visible()
    assert_accessible(page, "campagne en préparation")
    page.get_by_role("link", name="Ouvrir la campagne").click()
    assert_accessible(page, "ouvrir la campagne")
    _submit(page, "Ouvrir la campagne")
    expect(page.get_by_text("La campagne est ouverte : 2 appels attribués")).to_be_visible()
    campaign = CallCampaign.objects.get()
    assert campaign.script_offer.startswith("Salle rafraîchie")

    # The volunteer, on a phone.
    context.clear_cookies()
    page.set_viewport_size(PHONE)
    login_as(volunteer.user)
    page.goto("/")
    expect(page.get_by_role("heading", name="Vos appels du jour")).to_be_visible()
    page.goto("/appels/")
    assert_accessible(page, "mes appels")

    def take_next():
        page.goto("/appels/")
        _submit(page, "Appel suivant")
        return Call.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))

    call = take_next()
    phone = call.person.phones.get().number
    expect(page.locator(f"a[href='tel:{phone}']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "fiche d'appel")
    page.get_by_role("radio", name="Pas de réponse", exact=True).check(force=True)
    _submit(page, "Enregistrer l'issue")
    expect(page.get_by_text("Pas de réponse : nouvel essai prévu")).to_be_visible()
    assert_accessible(page, "appel enregistré")

    # The other person, reached, has two needs.
    other = take_next()
    assert other.pk != call.pk and {call.entry, other.entry} == {first, second}
    page.get_by_role("radio", name="Jointe, des besoins repérés", exact=True).check(force=True)
    page.get_by_role("checkbox", name="Se nourrir", exact=True).check(force=True)
    page.get_by_role("checkbox", name="Parler avec autrui", exact=True).check(force=True)
    _submit(page, "Enregistrer l'issue")
    expect(page.get_by_text("Appel enregistré avec 2 besoins repérés.")).to_be_visible()
    other.refresh_from_db()
    assert other.outcome == Outcome.NEEDS_FOUND and set(other.needs) == {"se-nourrir", "parler-avec-autrui"}

    # Two more tries of the first person, each once it is due again: the last escalates.
    for _ in range(2):
        Call.objects.filter(pk=call.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
        assert take_next().pk == call.pk
        page.get_by_role("radio", name="Pas de réponse", exact=True).check(force=True)
        _submit(page, "Enregistrer l'issue")
    expect(page.get_by_text("Alerte transmise au gestionnaire du registre")).to_be_visible()
    assert Escalation.objects.filter(call=call, handled_at__isnull=True).count() == 1

    # The manager sees it on the campaign page.
    context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login_as(manager.user)
    page.goto(f"/campagnes/{campaign.pk}/")
    expect(page.locator("main")).to_contain_text(re.compile(r"Alertes à traiter\s*1"))
    assert_accessible(page, "campagne ouverte")
