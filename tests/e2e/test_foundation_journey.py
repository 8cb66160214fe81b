"""The foundation's journeys in a real browser: log in with password and TOTP, switch organisation,
pair an authenticator application at first login, log out."""

import base64
import re
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.core.enums import Role
from tests.core.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.e2e.conftest import PASSWORD, current_totp

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


def wrong_code(right: str) -> str:
    return str((int(right) + 500_000) % 1_000_000).zfill(len(right))


def wait_for_otp_throttle():
    """django-otp delays the next try after a failure (OTP_TOTP_THROTTLE_FACTOR = 1: one second)."""
    time.sleep(1.1)


def submit_password(page, email: str, password: str = PASSWORD):
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def agent():
    """A user member of two organisations, with a different role in each, and a confirmed TOTP device."""
    user = UserFactory(first_name="Camille", last_name="Durand", email="camille.durand@exemple.fr")
    MembershipFactory(user=user, organisation=OrganisationFactory(name="CCAS d'Auxonne"), role=Role.ADMIN)
    MembershipFactory(user=user, organisation=OrganisationFactory(name="CLIC de Beaune"), role=Role.DPO)
    TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return user


def test_login_with_totp_then_switch_organisation_then_logout(page, agent):
    device = TOTPDevice.objects.get(user=agent)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/connexion/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à Maillage")

    submit_password(page, agent.email)
    expect(page).to_have_url(re.compile(r"/connexion/verification/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérification en deux étapes")

    # A wrong code: the French error, and the same page.
    page.get_by_label("Code de vérification").fill(wrong_code(current_totp(device)))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Code incorrect ou expiré.").last).to_be_visible()
    expect(page).to_have_url(re.compile(r"/connexion/verification/"))
    expect(page.get_by_label("Code de vérification")).to_have_attribute("aria-invalid", "true")

    wait_for_otp_throttle()
    page.get_by_label("Code de vérification").fill(current_totp(device))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    lead = page.locator("#structure-courante")
    expect(lead).to_have_text("Vous travaillez pour le CCAS d'Auxonne en tant qu'administrateur·rice.")

    # The switcher sits in its own strip under the navigation, with a visible label.
    switcher = page.get_by_label("Structure :")
    expect(switcher).to_have_count(1)
    expect(switcher).to_have_id("choix-structure")
    switcher.select_option(label="CLIC de Beaune — Délégué·e à la protection des données")
    page.get_by_role("button", name="Changer de structure").click()
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    expect(lead).to_have_text(
        "Vous travaillez pour le CLIC de Beaune en tant que délégué·e à la protection des données."
    )
    expect(page.get_by_role("status")).to_contain_text("Vous travaillez maintenant pour « CLIC de Beaune »")
    # The DPO of the CLIC reads its audit trail; the administrator's menu is gone.
    navigation = page.get_by_role("navigation", name="Menu principal")
    expect(navigation.get_by_role("link", name="Journal d'audit")).to_be_visible()
    expect(page.get_by_label("Structure :")).to_have_value(str(agent.memberships.get(role=Role.DPO).organisation_id))

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/$"))
    expect(page.get_by_role("status")).to_contain_text("Vous êtes déconnecté·e.")
    page.goto("/tableau-de-bord/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/tableau-de-bord/$"))


def test_wrong_password_shows_the_french_error(page, agent):
    page.goto("/connexion/")
    submit_password(page, agent.email, "Pas-le-bon-mot-de-passe-9")
    expect(page).to_have_url(re.compile(r"/connexion/$"))
    expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.")).to_be_visible()


def test_first_login_pairs_an_authenticator_application(page):
    user = UserFactory(first_name="Lou", last_name="Martin")
    organisation = OrganisationFactory(name="CCAS de Nolay")
    MembershipFactory(user=user, organisation=organisation, role=Role.RECEPTION_AGENT)

    page.goto("/connexion/")
    submit_password(page, user.email)
    expect(page).to_have_url(re.compile(r"/connexion/second-facteur/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la vérification en deux étapes")
    expect(page.get_by_role("img", name="QR code à scanner avec l'application")).to_be_visible()

    # What a person types into the application by hand: the secret shown on the page.
    secret = page.locator(".maillage-secret").inner_text()
    key = base64.b32decode(secret.replace(" ", ""))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert key == device.bin_key

    def code_now() -> str:
        return str(totp(key, step=device.step, t0=device.t0, digits=device.digits)).zfill(device.digits)

    field = page.get_by_label("Code affiché par l'application")
    field.fill(wrong_code(code_now()))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Ce code ne correspond pas.").last).to_be_visible()
    expect(page).to_have_url(re.compile(r"/connexion/second-facteur/"))
    assert page.locator(".maillage-secret").inner_text() == secret, "le secret ne doit pas changer après une erreur"

    wait_for_otp_throttle()
    field.fill(code_now())
    page.get_by_role("button", name="Activer").click()
    expect(page).to_have_url(re.compile(r"/compte/codes-de-secours/$"))
    codes = page.get_by_role("list", name="Vos codes de secours").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(codes.first).to_have_text(re.compile(r"^[a-z0-9]{5}-[a-z0-9]+$"))

    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/$"))
    expect(page.locator("#structure-courante")).to_have_text(
        "Vous travaillez pour le CCAS de Nolay en tant qu'agent d'accueil."
    )
    device.refresh_from_db()
    assert device.confirmed

    # The codes are shown once only.
    page.goto("/compte/codes-de-secours/")
    expect(page.get_by_text("Il vous reste 10 codes de secours inutilisés.")).to_be_visible()
