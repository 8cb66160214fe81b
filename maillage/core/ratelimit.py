"""Fixed-window counters in the shared cache (CACHES, one table for every web process), for the
rate limits: per client address on the expensive anonymous pages and the API, per recipient on the
directory's e-mails. Kept out of the session, so that a new session (or no cookie at all) starts
from the same count."""

import functools
import hashlib
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render

from maillage.core.clientip import client_ip


def _clock() -> float:
    return time.time()


def _cache_key(key: str, window_seconds: int, now: float) -> str:
    window = int(now // window_seconds)
    # Hashed: the key may hold an e-mail address or a client address (never kept in clear), and the
    # cache backends limit key length and characters.
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"ratelimit:{digest}:{window_seconds}:{window}"


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit on `key` in the current window of `window_seconds`; True while at most `limit`
    hits were counted (the hit is allowed), False past it. `cache.add` creates the counter only if
    absent (atomic on every backend), `cache.incr` adds one: atomic on Redis and Memcached, a read
    then a write on the database cache (CACHES), where requests racing on one key may each count
    once for two. The limit can so be passed by the number of requests running at the same moment
    (a few, with our workers), never by a new session."""
    cache_key = _cache_key(key, window_seconds, _clock())
    cache.add(cache_key, 0, timeout=window_seconds + 60)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 60)
        count = 1
    return count <= limit


def retry_after(window_seconds: int) -> int:
    """Seconds until the current window of `window_seconds` ends (for the Retry-After header)."""
    return max(1, int(window_seconds - _clock() % window_seconds))


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
        f"Trop de demandes : {what} est limité à {limit} demandes en {_duration(window_seconds)} "
        f"par connexion. Réessayez dans {_wait(retry_after(window_seconds))}."
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
