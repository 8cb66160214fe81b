import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.core.factories import MembershipFactory


@pytest.fixture(autouse=True)
def _tasks_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
