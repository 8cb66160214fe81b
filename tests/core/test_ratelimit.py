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


def test_hit_never_lets_more_than_the_limit_through_when_the_hint_is_stale(monkeypatch):
    """Two processes reading the same counter hint still take different slots."""
    from django.core.cache import cache

    assert ratelimit.hit("k", limit=2, window_seconds=60)
    monkeypatch.setattr(cache, "set", lambda *a, **kw: None)  # the hint is never updated again
    assert ratelimit.hit("k", limit=2, window_seconds=60)
    assert not ratelimit.hit("k", limit=2, window_seconds=60)


def test_a_new_window_starts_a_new_count(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    assert ratelimit.hit("k", limit=1, window_seconds=60)
    assert not ratelimit.hit("k", limit=1, window_seconds=60)
    now[0] += 60
    assert ratelimit.hit("k", limit=1, window_seconds=60)
