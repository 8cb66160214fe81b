"""Issue 14's « done when », its last part: a second partner, with an account, answers from its software
through the API. The CLIC's coordinator makes a personal API key in the browser (on a phone, axe on the
page), the CLIC's software lists the referral addressed to it with that key, reads its shared set,
accepts, starts and closes it « besoin satisfait »; the agent who oriented reads the outcome on the
person's timeline. The API documentation page passes axe too."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from maillage.core.enums import OrganisationKind, Role
from maillage.referrals.models import Referral, ReferralEvent
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def _call(base_url, method, path, secret=None, body=None):
    """The partner's software: plain HTTP, no browser, no cookie — only its key."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method)
    if secret:
        request.add_header("Authorization", f"Bearer {secret}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 — the test's own server
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_a_partner_with_an_account_answers_through_the_api(page, context, login_as, live_server):
    ccas = OrganisationFactory(name="CCAS de Rennes")
    clic = OrganisationFactory(name="CLIC de Rennes", kind=OrganisationKind.CLIC)
    service = ServiceFactory(organisation=clic, name="Évaluation à domicile")
    agent = MembershipFactory(organisation=ccas, role=Role.RECEPTION_AGENT)
    coordinator = MembershipFactory(organisation=clic, role=Role.COORDINATOR)
    person = PersonFactory(organisation=ccas, first_names="Odette", last_name="Kerbrat")
    PersonPhoneFactory(person=person, number="0299112233")
    PersonAddressFactory(person=person, line="4 allée des Tilleuls")

    # The agent orients the person from her file.
    login_as(agent.user)
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Orienter vers un partenaire").click()
    page.get_by_label("Nom du service ou de la structure").fill("CLIC de Rennes")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("link", name="Évaluation à domicile").first.click()
    page.locator("label", has_text="Intervention à domicile").click()
    page.get_by_label("Motif de l'orientation").fill("Évaluation de la perte d'autonomie après une chute.")
    page.locator("label[for=id_consent_given]").click()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_text("Orientation envoyée à Évaluation à domicile")).to_be_visible()
    referral = Referral.objects.get()
    assert referral.to_service == service

    # The CLIC's coordinator makes a key for the CLIC's software, on a phone.
    context.clear_cookies()
    login_as(coordinator.user)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/tableau-de-bord/")
    page.get_by_role("link", name="Clés d'API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clés d'API")
    assert_accessible(page, "Clés d'API (téléphone)")
    page.get_by_role("button", name="Créer la clé").click()
    expect(page.get_by_text("Indiquez le nom de la clé").first).to_be_visible()
    assert_accessible(page, "Clés d'API, avec une erreur")
    page.get_by_label("Nom de la clé").fill("Logiciel de suivi du CLIC")
    page.get_by_role("button", name="Créer la clé").click()
    expect(page.get_by_text("Clé créée : copiez-la maintenant")).to_be_visible()
    secret = page.locator("#cle-api-secrete").inner_text().strip()
    assert secret.startswith("mlg_")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page, "Clé d'API créée (téléphone)")

    # The CLIC's software, with its key only.
    base = live_server.url
    assert _call(base, "GET", "/api/v1/referrals")[0] == 401
    status, listing = _call(base, "GET", "/api/v1/referrals?status=sent", secret)
    assert status == 200 and listing["count"] == 1
    (item,) = listing["results"]
    assert (item["id"], item["person_name"], item["service"]["name"]) == (
        str(referral.pk),
        "Odette KERBRAT",
        "Évaluation à domicile",
    )
    status, detail = _call(base, "GET", f"/api/v1/referrals/{referral.pk}", secret)
    assert status == 200 and detail["reason"] == "Évaluation de la perte d'autonomie après une chute."
    assert detail["shared"]["address"]["line"] == "4 allée des Tilleuls"
    status, refused = _call(base, "POST", f"/api/v1/referrals/{referral.pk}/close", secret, {"outcome": "need_met"})
    assert status == 409 and refused["message"]  # not accepted yet: the lifecycle refuses, in French
    for action in ("accept", "start"):
        status, state = _call(base, "POST", f"/api/v1/referrals/{referral.pk}/{action}", secret, {})
        assert status == 200, (action, state)
    status, state = _call(base, "POST", f"/api/v1/referrals/{referral.pk}/close", secret, {"outcome": "need_met"})
    assert status == 200 and (state["status"], state["outcome"]) == ("closed", "need_met")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "need_met")
    last = ReferralEvent.objects.filter(referral=referral).last()
    assert (last.actor, last.api_key.name) == (coordinator.user, "Logiciel de suivi du CLIC")

    # The key page shows it used; the API's documentation page.
    page.goto("/compte/cles-api/")
    expect(page.get_by_role("cell", name="Logiciel de suivi du CLIC", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Jamais")).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/api/v1/")
    expect(page.get_by_role("heading", name="API des partenaires")).to_be_visible()
    assert_accessible(page, "Documentation de l'API")

    # The agent reads the outcome on the person's timeline.
    context.clear_cookies()
    login_as(agent.user)
    page.goto(f"/personnes/{person.pk}/chronologie/")
    expect(page.get_by_text("Orientation clôturée par CLIC de Rennes")).to_be_visible()
    expect(page.get_by_text("Issue : besoin satisfait.")).to_be_visible()
    assert_accessible(page, "Chronologie avec l'orientation clôturée par l'API")
