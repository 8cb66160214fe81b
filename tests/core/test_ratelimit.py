import pytest

from maillage.core import ratelimit

pytestmark = pytest.mark.django_db


def test_hit_allows_up_to_the_limit_then_refuses():
    assert [ratelimit.hit("k", limit=3, window_seconds=60) for _ in range(5)] == [True, True, True, False, False]
    assert ratelimit.is_limited("k", limit=3, window_seconds=60)
    assert not ratelimit.is_limited("autre", limit=3, window_seconds=60)


def test_hit_counts_each_key_apart():
    assert ratelimit.hit("a", limit=1, window_seconds=60)
    assert ratelimit.hit("b", limit=1, window_seconds=60)
    assert not ratelimit.hit("a", limit=1, window_seconds=60)


def test_hit_is_one_statement_and_does_not_live_in_the_cache():
    """One upsert per event (it was eleven queries in the database cache), and clearing the cache
    resets nothing."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert ratelimit.hit("k", limit=2, window_seconds=60)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert ratelimit.hit("k", limit=2, window_seconds=60)
    assert len(queries) == 1
    assert not ratelimit.hit("k", limit=2, window_seconds=60)


def test_the_counters_keep_no_key_in_clear_and_past_windows_are_erased(monkeypatch):
    from maillage.core.models import RateLimitCount
    from maillage.core.retention import apply_retention

    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    ratelimit.hit("selection-send:agent@exemple.fr", limit=3, window_seconds=60)
    row = RateLimitCount.objects.get()
    assert "exemple" not in row.key and row.count == 1
    apply_retention()  # the window of 1970 is long past
    assert not RateLimitCount.objects.exists()


def test_a_new_window_starts_a_new_count(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    assert ratelimit.hit("k", limit=1, window_seconds=60)
    assert not ratelimit.hit("k", limit=1, window_seconds=60)
    now[0] += 60
    assert ratelimit.hit("k", limit=1, window_seconds=60)
