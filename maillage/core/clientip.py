"""The client's address, as the lockout (django-axes) and the rate limits count it.

One function, so that the reading can change in one place (a trusted-proxy setting, django-ipware)
without touching its callers: `AXES_CLIENT_IP_CALLABLE` and `core.ratelimit` users.
"""


def client_ip(request) -> str | None:
    """The address the request came from, or None when unknown."""
    return request.META.get("REMOTE_ADDR")
