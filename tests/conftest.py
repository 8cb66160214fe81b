import pytest
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.core.factories import MembershipFactory


@pytest.fixture(autouse=True)
def _tasks_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _rate_limit_clock(monkeypatch):
    """The rate limits' clock stopped 30 s into a window: a loaded machine must not see a window end
    (and a count start again) halfway through a test. Tests of the windows set their own clock."""
    from maillage.core import ratelimit

    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_030.0)


def login_verified(client: Client, user) -> Client:
    """Log the user in as after both factors: password (force_login) and a confirmed TOTP device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user, backend="maillage.core.auth_backends.EmailBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def member_client(client):
    """A factory: `member_client(role=…, organisation=…)` gives a verified client and its membership."""

    def make(**kwargs):
        membership = MembershipFactory(**kwargs)
        return login_verified(client, membership.user), membership

    return make


@pytest.fixture
def htmx_client(client):
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client


def run_task_worker():
    """Run the real task worker (`manage.py db_worker`) over every queued task, then return.

    The worker recycles database connections between tasks (`close_old_connections`), which would
    close the connection holding the test's transaction: inside tests it keeps the connection.
    """
    from unittest import mock

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
