"""One reading of the client's address (core.clientip), for the trail, the lockout and the limits."""

import pytest
from django.conf import settings
from django.test import RequestFactory

from maillage.core.audit import remote_addr
from maillage.core.clientip import client_ip


def _request(remote="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.MAILLAGE_TRUSTED_PROXIES = []
    request = _request("203.0.113.7", "198.51.100.1, 192.0.2.99")
    assert client_ip(request) == "203.0.113.7"
    assert remote_addr(request) == "203.0.113.7"  # the audit trail reads the same


def test_a_forged_forwarded_for_is_ignored_from_an_untrusted_peer(settings):
    settings.MAILLAGE_TRUSTED_PROXIES = ["10.0.0.1"]
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_hop_it_added_is_the_client(settings):
    settings.MAILLAGE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client wrote « 198.51.100.1 »; the proxy appended the address it saw.
    assert client_ip(_request("10.0.0.1", "198.51.100.1, 203.0.113.7")) == "203.0.113.7"
    # Two proxies of ours: skip both.
    assert client_ip(_request("10.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.2")) == "203.0.113.7"
    # A port and an IPv4-mapped IPv6 address read as the plain address.
    assert client_ip(_request("::ffff:10.0.0.1", "203.0.113.9:5123")) == "203.0.113.9"


def test_behind_a_trusted_proxy_garbage_never_becomes_the_client(settings):
    settings.MAILLAGE_TRUSTED_PROXIES = ["10.0.0.1"]
    assert client_ip(_request("10.0.0.1", "not-an-address")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1", "")) == "10.0.0.1"
    assert client_ip(_request("", "203.0.113.7")) is None


def test_the_lockout_reads_the_same_address():
    from axes.helpers import get_client_ip_address

    assert settings.AXES_CLIENT_IP_CALLABLE == "maillage.core.clientip.client_ip"
    assert get_client_ip_address(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize("value", ["10.0.0.300", "proxy.local"])
def test_a_malformed_trusted_proxy_stops_the_start(monkeypatch, value):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import maillage.settings.base as base

    monkeypatch.setenv("MAILLAGE_TRUSTED_PROXIES", value)
    with pytest.raises(ImproperlyConfigured, match="MAILLAGE_TRUSTED_PROXIES"):
        importlib.reload(base)
    monkeypatch.delenv("MAILLAGE_TRUSTED_PROXIES")
    importlib.reload(base)
