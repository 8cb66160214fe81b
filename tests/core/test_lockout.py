"""Login lockout (django-axes): counted per normalised e-mail and per client address."""

import pytest
from django.urls import reverse

from maillage.core.enums import Role
from tests.core.factories import MembershipFactory

PASSWORD = "Un-mot-de-passe-solide-1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return MembershipFactory(role=Role.COORDINATOR, user__email="claire.martin@exemple.fr")


def _login(client, email, password=PASSWORD, address="192.0.2.10"):
    return client.post(reverse("core:login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def test_attacker_cannot_bypass_the_lockout_by_changing_the_capitals_of_the_email(client, member):
    variants = [
        "Claire.Martin@exemple.fr",
        "CLAIRE.MARTIN@EXEMPLE.FR",
        " claire.martin@exemple.fr ",
        "claire.MARTIN@exemple.fr",
    ]
    for variant in [*variants, "Claire.martin@Exemple.fr"]:
        _login(client, variant, "mauvais")
    response = _login(client, "cLaIrE.mArTiN@eXeMpLe.Fr")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_attacker_cannot_bypass_the_lockout_by_changing_address(client, member):
    for i in range(5):
        _login(client, member.user.email, "mauvais", address=f"198.51.100.{i}")
    response = _login(client, member.user.email, address="203.0.113.7")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_attacker_cannot_guess_many_accounts_from_one_address(client, settings, member):
    limit = settings.MAILLAGE_LOGIN_FAILURE_LIMIT_PER_ADDRESS
    for i in range(limit):
        _login(client, f"victime{i}@exemple.fr", "mauvais", address="192.0.2.66")
    response = _login(client, member.user.email, address="192.0.2.66")
    assert response.status_code == 429
    assert "depuis votre connexion internet" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The account itself is not locked: its holder logs in from elsewhere.
    assert _login(client, member.user.email, address="192.0.2.67").status_code == 302


def test_address_is_not_locked_by_a_few_colleagues_typos(client, settings, member):
    for i in range(settings.AXES_FAILURE_LIMIT + 2):
        _login(client, f"collegue{i}@exemple.fr", "mauvais", address="192.0.2.80")
    assert _login(client, member.user.email, address="192.0.2.80").status_code == 302


def test_attacker_cannot_clear_the_address_counter_by_logging_into_their_own_account(client, settings, member):
    own = MembershipFactory(role=Role.VOLUNTEER, user__email="complice@exemple.fr")
    limit = settings.MAILLAGE_LOGIN_FAILURE_LIMIT_PER_ADDRESS
    for i in range(limit - 1):
        _login(client, f"victime{i}@exemple.fr", "mauvais", address="192.0.2.66")
    assert _login(client, own.user.email, address="192.0.2.66").status_code == 302
    client.post(reverse("core:logout"))
    _login(client, "victime-suivante@exemple.fr", "mauvais", address="192.0.2.66")
    assert _login(client, member.user.email, address="192.0.2.66").status_code == 429


def test_lockout_username_is_the_normalised_email(rf):
    from maillage.core.lockout import lockout_username

    request = rf.post("/connexion/", {"username": "  Claire.Martin@Exemple.FR "})
    assert lockout_username(request, None) == "claire.martin@exemple.fr"
    assert lockout_username(request, {"username": "\tA@B.fr\n"}) == "a@b.fr"
    assert lockout_username(rf.post("/connexion/", {}), None) is None


def _reset_password(client, email, new_password):
    """Walk the e-mailed link as its holder would (token from Django's generator, as in the e-mail)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from maillage.core.models import User

    user = User.objects.get(email__iexact=email)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page = client.get(
        reverse("core:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]), follow=True
    )
    form_url = page.redirect_chain[-1][0]
    return client.post(form_url, {"new_password1": new_password, "new_password2": new_password}, follow=True)


def test_locked_account_page_says_a_password_reset_unlocks_it(client, member):
    for _ in range(5):
        _login(client, member.user.email, "mauvais")
    page = _login(client, member.user.email).content.decode()
    assert "Compte temporairement bloqué" in page
    assert "débloque aussitôt le compte" in page
    assert reverse("core:password_reset") in page


def test_completed_password_reset_unlocks_the_account(client, member):
    from maillage.core.models import AuditLogEntry

    for i in range(5):
        _login(client, member.user.email, "mauvais", address=f"198.51.100.{i}")
    assert _login(client, member.user.email).status_code == 429
    done = _reset_password(client, member.user.email, "Nouveau-Mot-de-passe-2026!")
    assert "il est débloqué" in done.content.decode()
    # From another address than the failures': the account's count is gone, wherever it was made.
    response = _login(client, member.user.email, "Nouveau-Mot-de-passe-2026!", address="203.0.113.9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.user.pk)
    assert AuditLogEntry.objects.filter(
        actor=member.user, changes_text__contains="blocage des connexions levé pour ce compte"
    ).exists()


def test_password_reset_does_not_clear_the_address_counter(client, settings, member):
    limit = settings.MAILLAGE_LOGIN_FAILURE_LIMIT_PER_ADDRESS
    for i in range(limit):
        _login(client, f"victime{i}@exemple.fr", "mauvais", address="192.0.2.66")
    _reset_password(client, member.user.email, "Nouveau-Mot-de-passe-2026!")
    response = _login(client, member.user.email, "Nouveau-Mot-de-passe-2026!", address="192.0.2.66")
    assert response.status_code == 429
    assert "depuis votre connexion internet" in response.content.decode()


def test_account_and_address_both_locked_says_a_reset_does_not_unlock_the_connection(client, settings, member):
    settings.MAILLAGE_LOGIN_FAILURE_LIMIT_PER_ADDRESS = 6
    for _ in range(6):
        _login(client, member.user.email, "mauvais", address="192.0.2.70")
    page = _login(client, member.user.email, address="192.0.2.70").content.decode()
    assert "Compte et connexion temporairement bloqués" in page
    assert "mais pas cette connexion internet" in page
