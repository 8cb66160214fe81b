"""Sensitive account actions ask for the password again (issue 10, point 3): a session left open
or stolen after both factors must not be enough to take over the account's second factor."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.demo import current_totp
from maillage.core.enums import Role
from maillage.core.services import recovery_codes_replace
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory

PASSWORD = "Un-mot-de-passe-solide-1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, membership.user)
    recovery_codes_replace(user=membership.user)
    return membership


def _codes(user):
    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def test_stolen_session_cannot_reissue_recovery_codes_without_the_password(client, member):
    before = _codes(member.user)
    for data in ({}, {"password": "mauvais"}):
        response = client.post(reverse("core:recovery_codes"), data)
        assert response.status_code == 200
        assert _codes(member.user) == before
    assert "Mot de passe incorrect" in response.content.decode()
    response = client.post(reverse("core:recovery_codes"), {"password": PASSWORD})
    assert response["Location"] == reverse("core:recovery_codes")
    assert _codes(member.user).isdisjoint(before) and len(_codes(member.user)) == 10


def test_stolen_session_cannot_pair_a_new_authenticator_without_the_password(client, member):
    old = TOTPDevice.objects.get(user=member.user, confirmed=True)
    page = client.get(reverse("core:otp_setup"))
    assert page.status_code == 200 and "Votre mot de passe" in page.content.decode()
    new = TOTPDevice.objects.get(user=member.user, confirmed=False)
    for data in ({"token": current_totp(new)}, {"token": current_totp(new), "password": "mauvais"}):
        response = client.post(reverse("core:otp_setup"), data)
        assert response.status_code == 200
        new.refresh_from_db()
        assert not new.confirmed
        assert TOTPDevice.objects.filter(pk=old.pk).exists()


def test_verified_user_replaces_their_authenticator_with_their_password(client, member):
    old = TOTPDevice.objects.get(user=member.user, confirmed=True)
    client.get(reverse("core:otp_setup"))
    new = TOTPDevice.objects.get(user=member.user, confirmed=False)
    before = client.session.session_key
    response = client.post(reverse("core:otp_setup"), {"token": current_totp(new), "password": PASSWORD})
    assert response["Location"] == reverse("core:dashboard")
    assert list(TOTPDevice.objects.filter(user=member.user).values_list("pk", "confirmed")) == [(new.pk, True)]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.session[DEVICE_ID_SESSION_KEY] == new.persistent_id
    assert client.session.session_key != before


def test_password_confirmation_stops_after_five_wrong_tries(client, member):
    before = _codes(member.user)
    for _ in range(5):
        client.post(reverse("core:recovery_codes"), {"password": "mauvais"})
    response = client.post(reverse("core:recovery_codes"), {"password": PASSWORD})
    assert "trop d&#x27;essais incorrects" in response.content.decode()
    assert _codes(member.user) == before


def test_user_with_a_device_but_not_verified_is_sent_to_the_code_check(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    TOTPDevice.objects.create(user=membership.user, name="app", confirmed=True)
    client.force_login(membership.user, backend="maillage.core.auth_backends.EmailBackend")
    assert client.get(reverse("core:otp_setup"))["Location"] == reverse("core:otp_verify")
