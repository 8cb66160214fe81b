"""Password-reset requests and invitations are rate-limited (issue 10, point 6)."""

import pytest
from django.core import mail
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.models import MembershipInvitation
from tests.conftest import login_verified, run_task_worker
from tests.core.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _reset(client, email, address="192.0.2.10"):
    return client.post(reverse("core:password_reset"), {"email": email}, REMOTE_ADDR=address)


def _outcome(response):
    if response.status_code == 302:
        return ("redirect", response["Location"])
    return (response.status_code, "patientez" in response.content.decode())


def test_attacker_cannot_flood_an_address_with_password_reset_emails(client, settings):
    UserFactory(email="claire@exemple.fr")
    limit = settings.MAILLAGE_PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR
    variants = ["claire@exemple.fr", "Claire@Exemple.fr", " CLAIRE@exemple.fr "]
    outcomes = [_outcome(_reset(client, variants[i % 3], address=f"198.51.100.{i}")) for i in range(limit + 2)]
    assert outcomes[:limit] == [("redirect", reverse("core:password_reset_done"))] * limit
    assert outcomes[limit:] == [(200, True)] * 2
    run_task_worker()
    assert len(mail.outbox) == limit


def test_password_reset_limit_answers_the_same_for_an_unknown_address(client, settings):
    UserFactory(email="claire@exemple.fr")
    limit = settings.MAILLAGE_PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR
    known = [_outcome(_reset(client, "claire@exemple.fr")) for _ in range(limit + 1)]
    unknown = [_outcome(_reset(client, "personne@exemple.fr", address="192.0.2.11")) for _ in range(limit + 1)]
    assert known == unknown
    limited = _reset(client, "personne@exemple.fr", address="192.0.2.11").content.decode()
    assert "Adresse électronique : trop de demandes de réinitialisation" in limited


def test_attacker_cannot_request_resets_for_many_addresses_from_one_client(client, settings):
    limit = settings.MAILLAGE_PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR
    for i in range(limit):
        assert _reset(client, f"cible{i}@exemple.fr", address="192.0.2.66").status_code == 302
    assert _outcome(_reset(client, "encore@exemple.fr", address="192.0.2.66")) == (200, True)
    assert _reset(client, "encore@exemple.fr", address="192.0.2.67").status_code == 302


@pytest.fixture
def admin(client):
    admin = MembershipFactory(role=Role.ADMIN)
    login_verified(client, admin.user)
    return admin


def _invite(client, admin, email):
    return client.post(
        reverse("core:member_create", args=[admin.organisation.pk]),
        {"email": email, "first_name": "x", "last_name": "y", "role": "volunteer"},
    )


def test_admin_cannot_send_unlimited_invitations(client, settings, admin):
    settings.MAILLAGE_INVITATION_LIMIT_PER_ADMIN_PER_HOUR = 2
    for i in range(2):
        UserFactory(email=f"compte{i}@exemple.fr")
        assert _invite(client, admin, f"compte{i}@exemple.fr").status_code == 302
    response = _invite(client, admin, "autre@exemple.fr")
    assert response.status_code == 200
    assert "Adresse électronique : vous avez déjà invité 2 personnes en une heure" in response.content.decode()
    assert MembershipInvitation.objects.count() == 2


def test_organisation_cannot_send_unlimited_invitations_through_several_admins(client, settings, admin):
    settings.MAILLAGE_INVITATION_LIMIT_PER_ORGANISATION_PER_DAY = 2
    second = MembershipFactory(role=Role.ADMIN, organisation=admin.organisation)
    _invite(client, admin, "un@exemple.fr")
    login_verified(client, second.user)
    _invite(client, second, "deux@exemple.fr")
    response = _invite(client, second, "trois@exemple.fr")
    assert response.status_code == 200
    assert "invitations ont déjà été envoyées pour cette structure aujourd&#x27;hui" in response.content.decode()
