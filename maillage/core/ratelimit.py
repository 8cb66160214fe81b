"""Fixed-window rate limits counted in Django's cache (the project's database cache is shared by
every web process, so a limit holds across them).

`hit(key, limit=…, window_seconds=…)` counts one event under `key` and says whether it is allowed.

Atomic on every cache backend: each event takes a numbered slot with `cache.add`, which creates a
key only if it is absent (a unique key in the database cache, an atomic add in memcached or
Redis), so two processes never take the same slot and at most `limit` events pass per window.
`cache.incr` is not used: the database cache implements it as a read then a write, which loses
increments under concurrent requests. A counter key only tells where to start looking.
"""

import hashlib
import time

from django.core.cache import cache


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
