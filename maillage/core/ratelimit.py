"""Fixed-window rate limits counted in Django's cache (the project's database cache is shared by
every web process, so a limit holds across them; kept out of the session, so that a new session —
or no cookie at all — starts from the same count): per client address on the expensive anonymous
pages and the API, per recipient on the directory's e-mails, per e-mail on password resets.

`hit(key, limit=…, window_seconds=…)` counts one event under `key` and says whether it is allowed.

Atomic on every cache backend: each event takes a numbered slot with `cache.add`, which creates a
key only if it is absent (a unique key in the database cache, an atomic add in memcached or
Redis), so two processes never take the same slot and at most `limit` events pass per window.
`cache.incr` is not used: the database cache implements it as a read then a write, which loses
increments under concurrent requests. A counter key only tells where to start looking.
"""

import functools
import hashlib
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render

from maillage.core.clientip import client_ip


def _now() -> float:
    return time.time()


def _base_key(key: str, window_seconds: int) -> str:
    window = int(_now() // window_seconds)
    # Hashed: keys may hold e-mail addresses; they must stay short and free of spaces (memcached).
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"ratelimit:{window_seconds}:{window}:{digest}"


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event under `key`: True when it is among the first `limit` events of the current
    window of `window_seconds`, False otherwise (a refused event takes no slot)."""
    base = _base_key(key, window_seconds)
    timeout = window_seconds + 60
    # Every slot up to a taken one is taken (slots are taken in order), so start after the hint.
    slot = cache.get(f"{base}:n", 0) + 1
    while slot <= limit:
        if cache.add(f"{base}:{slot}", 1, timeout=timeout):
            cache.set(f"{base}:n", slot, timeout=timeout)
            return True
        slot += 1
    return False


def is_limited(key: str, *, limit: int, window_seconds: int) -> bool:
    """True when `key` has already had `limit` events in the current window (counts nothing)."""
    return limit < 1 or cache.has_key(f"{_base_key(key, window_seconds)}:{limit}")


def retry_after(window_seconds: int) -> int:
    """Seconds until the current window of `window_seconds` ends (for the Retry-After header)."""
    return max(1, int(window_seconds - _now() % window_seconds))


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "une heure" if hours == 1 else f"{hours} heures"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "une minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds} secondes"


def _wait(seconds: int) -> str:
    if seconds <= 60:
        return "une minute" if seconds == 60 else f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


def refusal_message(*, what: str, limit: int, window_seconds: int) -> str:
    """Why the request is refused, in French: what was asked too often, and when to come back."""
    return (
        f"Trop de demandes : {limit} demandes au plus en {_duration(window_seconds)} par connexion pour {what}. "
        f"Réessayez dans {_wait(retry_after(window_seconds))}."
    )


def requester_key(request) -> str:
    """Whom a limit counts: the member when logged in (a team shares one address), else the client's
    address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def too_many_requests(request, *, what: str, limit: int, window_seconds: int) -> HttpResponse:
    """The 429 page: the reason in French, and Retry-After."""
    message = refusal_message(what=what, limit=limit, window_seconds=window_seconds)
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after(window_seconds))
    return response


def limit_per_requester(scope: str, *, what: str, limit: int, window_seconds: int):
    """View decorator: at most `limit` requests per `window_seconds` per member or client address,
    then a 429 page saying why (`what`, in French: « l'impression de la sélection »)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not hit(f"{scope}:{requester_key(request)}", limit=limit, window_seconds=window_seconds):
                return too_many_requests(request, what=what, limit=limit, window_seconds=window_seconds)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
