import re
import time

import pytest
from django.core import mail
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.demo import current_totp
from maillage.core.enums import Role
from maillage.core.middleware import SESSION_LAST_ACTIVITY_KEY
from maillage.core.models import AuditLogEntry
from maillage.core.services import recovery_codes_replace
from tests.conftest import login_verified, run_task_worker
from tests.core.factories import MembershipFactory

PASSWORD = "Un-mot-de-passe-solide-1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return MembershipFactory(role=Role.COORDINATOR, user__email="claire.martin@exemple.fr")


def _login(client, email, password=PASSWORD):
    return client.post(reverse("core:login"), {"username": email, "password": password})


def test_login_without_device_goes_to_second_factor_setup(client, member):
    response = _login(client, "Claire.Martin@exemple.fr")  # case does not matter
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_setup"))


def test_login_with_device_goes_to_second_factor_check(client, member):
    TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    response = _login(client, member.user.email)
    assert response["Location"].startswith(reverse("core:otp_verify"))
    # The password alone opens nothing.
    assert client.get(reverse("core:dashboard"))["Location"] == reverse("core:otp_verify")


def test_wrong_password_says_so_in_french_and_logs_nobody_in(client, member):
    response = _login(client, member.user.email, "mauvais")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_is_locked_after_five_failures_even_with_the_right_password(client, member):
    for _ in range(5):
        _login(client, member.user.email, "mauvais")
    response = _login(client, member.user.email)
    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_demo_account_is_refused_where_demo_accounts_are_not_allowed(client, settings, member):
    member.user.is_demo = True
    member.user.save()
    settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED = False
    response = _login(client, member.user.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_totp_code_verifies_the_session(client, member):
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _login(client, member.user.email)
    response = client.post(reverse("core:otp_verify"), {"token": current_totp(device)})
    assert response["Location"] == reverse("core:dashboard")
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_wrong_code_is_refused_with_a_french_message(client, member):
    TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _login(client, member.user.email)
    response = client.post(reverse("core:otp_verify"), {"token": "000000"})
    assert response.status_code == 200
    assert "Code incorrect ou expiré" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert AuditLogEntry.objects.filter(changes_text__startswith="Second facteur refusé").exists()


def test_recovery_code_works_once(client, member):
    TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    code = recovery_codes_replace(user=member.user)[0]
    _login(client, member.user.email)
    formatted = f"{code[:5]}-{code[5:].upper()}"  # as printed, typed in upper case
    response = client.post(reverse("core:otp_verify"), {"token": formatted})
    assert response["Location"] == reverse("core:dashboard")
    assert not StaticToken.objects.filter(token=code).exists()
    client.post(reverse("core:logout"))
    _login(client, member.user.email)
    response = client.post(reverse("core:otp_verify"), {"token": code})
    assert "Code incorrect ou expiré" in response.content.decode()


def test_second_factor_setup_confirms_device_and_shows_recovery_codes_once(client, member):
    _login(client, member.user.email)
    page = client.get(reverse("core:otp_setup"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=member.user, confirmed=False)
    wrong = client.post(reverse("core:otp_setup"), {"token": "12345a"})
    assert "ne doit contenir que des chiffres" in wrong.content.decode()
    response = client.post(reverse("core:otp_setup"), {"token": current_totp(device)})
    assert response["Location"] == reverse("core:recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    shown = client.get(reverse("core:recovery_codes")).content.decode()
    codes = list(StaticToken.objects.filter(device__user=member.user).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(f"{c[:5]}-{c[5:]}" in shown for c in codes)
    again = client.get(reverse("core:recovery_codes")).content.decode()
    assert codes[0][:5] + "-" not in again
    assert "Il vous reste <strong>10</strong>" in again


def test_idle_session_is_closed_and_the_login_page_says_why(client, settings, member):
    login_verified(client, member.user)
    session = client.session
    session[SESSION_LAST_ACTIVITY_KEY] = int(time.time()) - settings.MAILLAGE_INACTIVITY_TIMEOUT - 5
    session.save()
    response = client.get(reverse("core:dashboard"))
    assert response["Location"].startswith(reverse("core:login"))
    page = client.get(response["Location"])
    assert "Session expirée" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_active_session_stays_open(client, member):
    login_verified(client, member.user)
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_login_does_not_redirect_to_another_site(client, member):
    response = client.post(
        reverse("core:login") + "?next=https://evil.example/",
        {"username": member.user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert "evil.example" not in response["Location"].split("next=")[0]
    assert response["Location"].endswith("next=/tableau-de-bord/")


def test_password_reset_sends_a_working_link_through_the_task_worker(client, member):
    response = client.post(reverse("core:password_reset"), {"email": member.user.email})
    assert response["Location"] == reverse("core:password_reset_done")
    assert mail.outbox == []  # not sent inside the request: queued
    run_task_worker()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/compte/mot-de-passe/nouveau/" in line).strip()
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choisir un nouveau mot de passe" in form_page.content.decode()
    new = "Nouveau-Mot-de-passe-2026!"
    weak = client.post(form_page.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"})
    assert "au moins 12 caractères" in weak.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("core:password_reset_complete")
    assert _login(client, member.user.email, new).status_code == 302


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("core:password_reset"), {"email": "personne@exemple.fr"})
    assert response["Location"] == reverse("core:password_reset_done")
    run_task_worker()
    assert mail.outbox == []


def test_logout_is_a_post_and_is_logged(client, member):
    login_verified(client, member.user)
    assert client.get(reverse("core:logout")).status_code == 405
    client.post(reverse("core:logout"))
    assert "_auth_user_id" not in client.session
    assert AuditLogEntry.objects.filter(actor=member.user, changes_text="Déconnexion").exists()


def test_session_key_changes_when_the_totp_code_passes(client, member):
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _login(client, member.user.email)
    before = client.session.session_key
    client.post(reverse("core:otp_verify"), {"token": current_totp(device)})
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != before


def test_session_key_changes_when_a_recovery_code_passes(client, member):
    TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    code = recovery_codes_replace(user=member.user)[0]
    _login(client, member.user.email)
    before = client.session.session_key
    client.post(reverse("core:otp_verify"), {"token": code})
    assert DEVICE_ID_SESSION_KEY in client.session
    assert client.session.session_key != before


def test_session_key_changes_when_the_first_authenticator_is_confirmed(client, member):
    _login(client, member.user.email)
    client.get(reverse("core:otp_setup"))
    device = TOTPDevice.objects.get(user=member.user, confirmed=False)
    before = client.session.session_key
    client.post(reverse("core:otp_setup"), {"token": current_totp(device)})
    assert DEVICE_ID_SESSION_KEY in client.session
    assert client.session.session_key != before


def _throttle(device, *, failures, seconds_ago=0):
    import datetime

    from django.utils import timezone

    device.throttling_failure_count = failures
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    device.save()


def test_throttled_code_says_wait_not_incorrect(client, member):
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _login(client, member.user.email)
    _throttle(device, failures=5)  # 2⁴ = 16 seconds to wait (OTP_TOTP_THROTTLE_FACTOR = 1)
    response = client.post(reverse("core:otp_verify"), {"token": current_totp(device)})
    page = response.content.decode()
    assert re.search(r"Trop d&#x27;essais : attendez 1[56] secondes avant de réessayer", page)
    assert "Code incorrect" not in page
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert AuditLogEntry.objects.filter(changes_text__contains="trop d'essais").exists()


def test_after_the_wait_a_correct_code_works(client, member):
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _login(client, member.user.email)
    _throttle(device, failures=3, seconds_ago=5)  # 4 seconds required, 5 passed
    response = client.post(reverse("core:otp_verify"), {"token": current_totp(device)})
    assert response["Location"] == reverse("core:dashboard")
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_wrong_codes_throttle_then_say_wait(client, settings, member):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after the first wrong code: no race with a slow machine
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    _login(client, member.user.email)
    first = client.post(reverse("core:otp_verify"), {"token": "000000"}).content.decode()
    assert "Code incorrect ou expiré" in first
    second = client.post(reverse("core:otp_verify"), {"token": "000000"}).content.decode()
    # One wrong code: django-otp asks for one throttle factor (here 60 seconds) before the next.
    assert re.search(r"Trop d&#x27;essais : attendez (60|59) secondes avant de réessayer", second)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the throttled try was not counted as a failure


def test_a_recovery_code_is_not_blocked_by_a_throttled_authenticator(client, member):
    device = TOTPDevice.objects.create(user=member.user, name="app", confirmed=True)
    code = recovery_codes_replace(user=member.user)[0]
    _login(client, member.user.email)
    _throttle(device, failures=8)
    response = client.post(reverse("core:otp_verify"), {"token": code})
    assert response["Location"] == reverse("core:dashboard")


def test_throttled_pairing_says_wait(client, member):
    _login(client, member.user.email)
    client.get(reverse("core:otp_setup"))
    device = TOTPDevice.objects.get(user=member.user, confirmed=False)
    _throttle(device, failures=4)
    page = client.post(reverse("core:otp_setup"), {"token": current_totp(device)}).content.decode()
    assert re.search(r"Trop d&#x27;essais : attendez [78] secondes", page)
    device.refresh_from_db()
    assert not device.confirmed


def test_too_many_attempts_message_agrees_in_number():
    from maillage.core.views.auth import too_many_attempts_message

    assert too_many_attempts_message(1).startswith("Trop d'essais : attendez 1 seconde avant")
    assert too_many_attempts_message(4).startswith("Trop d'essais : attendez 4 secondes avant")
