"""Fixed-window counters in the shared cache (CACHES, one table for every web process), for the
rate limits: per client address on the expensive anonymous pages and the API, per recipient on the
directory's e-mails. Kept out of the session, so that a new session (or no cookie at all) starts
from the same count."""

import hashlib
import time

from django.core.cache import cache


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
    hits were counted (the hit is allowed), False past it. Atomic across processes: `cache.add`
    creates the counter only if absent, `cache.incr` adds one in the backend."""
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
