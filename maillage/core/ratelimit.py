"""Fixed-window rate limits counted in the database (shared by every web process, so a limit holds
across them; kept out of the session, so that a new session — or no cookie at all — starts from the
same count): per client address on the expensive anonymous pages and the API, per recipient on the
directory's e-mails, per e-mail on password resets.

`hit(key, limit=…, window_seconds=…)` counts one event under `key` and says whether it is allowed.

One statement per event, atomic on PostgreSQL and SQLite alike: an upsert on the key's row
(`core.RateLimitCount`, `INSERT … ON CONFLICT DO UPDATE … RETURNING`) that adds one to the count of
the current window, or restarts it at 1 when a new window began, and returns the count — two
processes never read the same count, so at most `limit` events pass per window. It replaced slots
taken with `cache.add` in the database cache (decision « perf »): eleven queries per event there
(Django's database cache counts its whole table before every write), the API's heaviest cost.
Rows of windows past are deleted by the retention rule « core.ratelimit.counts ».
"""

import datetime
import functools
import hashlib
import time

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from maillage.core import retention
from maillage.core.clientip import client_ip
from maillage.core.models import RateLimitCount


def _now() -> float:
    return time.time()


def _digest(key: str, window_seconds: int) -> str:
    # Hashed: keys may hold e-mail addresses or client addresses, which the table must not keep.
    return hashlib.sha256(f"{window_seconds}:{key}".encode()).hexdigest()[:40]


def _window(window_seconds: int) -> int:
    return int(_now() // window_seconds) * window_seconds


_UPSERT = (
    "INSERT INTO {table} (key, window_start, count, expires_at) VALUES (%s, %s, 1, %s) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN {table}.window_start = excluded.window_start THEN {table}.count + 1 ELSE 1 END, "
    "window_start = excluded.window_start, expires_at = excluded.expires_at "
    "RETURNING count"
)


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event under `key`: True when it is among the first `limit` events of the current
    window of `window_seconds`, False otherwise."""
    start = _window(window_seconds)
    expires = datetime.datetime.fromtimestamp(start + window_seconds, tz=datetime.UTC)
    table = connection.ops.quote_name(RateLimitCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table), [_digest(key, window_seconds), start, expires])
        count = cursor.fetchone()[0]
    return count <= limit


def is_limited(key: str, *, limit: int, window_seconds: int) -> bool:
    """True when `key` has already had `limit` events in the current window (counts nothing)."""
    if limit < 1:
        return True
    return RateLimitCount.objects.filter(
        key=_digest(key, window_seconds), window_start=_window(window_seconds), count__gte=limit
    ).exists()


def _past_windows(now):
    return RateLimitCount.objects.filter(expires_at__lt=now)


retention.register(
    retention.RetentionRule(
        key="core.ratelimit.counts",
        model="core.RateLimitCount",
        description=(
            "Compteurs de limitation des demandes (empreinte d'un compte ou d'une adresse, nombre de demandes) : "
            "effacés une fois leur fenêtre passée, ils ne servent qu'à elle."
        ),
        expired=_past_windows,
    )
)


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
