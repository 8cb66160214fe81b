"""The client's address, read one way everywhere: the audit trail, the login lockout (django-axes,
`AXES_CLIENT_IP_CALLABLE`) and the rate limits.

`X-Forwarded-For` is written by whoever sends the request, so it is read only when the connection
comes from a proxy listed in `MAILLAGE_TRUSTED_PROXIES` (addresses or networks; empty by default:
the socket's address, `REMOTE_ADDR`, is the client). Behind trusted proxies the hops are read from
the right (each proxy appends the address it received the request from), skipping the trusted
ones: the first untrusted hop is the client, whatever the client wrote to its left.

python-ipware parses each hop (ports, brackets, IPv4-mapped IPv6, garbage refused). Its own
`proxy_list` is not used: it matches the last hops by position and never looks at `REMOTE_ADDR`,
so a request reaching the application directly with a forged chain would pass.
"""

import functools
import ipaddress

from django.conf import settings
from python_ipware.modern.parsers import parse_ip, unwrap_ipv4, unwrap_ipv4_network


@functools.cache
def _trusted_networks(entries: tuple[str, ...]) -> tuple:
    return tuple(unwrap_ipv4_network(ipaddress.ip_network(entry, strict=False)) for entry in entries)


def trusted_networks() -> tuple:
    """The trusted proxies' networks (a single address is a /32 or /128)."""
    return _trusted_networks(tuple(getattr(settings, "MAILLAGE_TRUSTED_PROXIES", ())))


def _is_trusted(ip, networks) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def client_ip(request) -> str | None:
    """The address of the client that sent `request`, or None when the connection has none."""
    remote = parse_ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = trusted_networks()
    if not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    # Several X-Forwarded-For headers arrive joined by commas in META (WSGI).
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        ip = parse_ip(hop)
        if ip is None:  # a malformed hop: nothing to its left can be trusted
            break
        client = unwrap_ipv4(ip)
        if not _is_trusted(client, networks):
            break
    return str(client)
