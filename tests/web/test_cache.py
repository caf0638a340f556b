"""The in-process cache of rendered bytes."""

from portal.web.cache import LocalCache


def test_the_render_cache_is_bounded():
    cache = LocalCache(3)
    for key in "abcd":
        cache.set(key, key.encode())
    assert cache.get("a") is None and cache.get("d") == b"d"
    assert len(cache.items) == 3


def test_the_render_cache_forgets_the_least_recently_used_first():
    cache = LocalCache(3)
    for key in "abc":
        cache.set(key, key.encode())
    assert cache.get("a") == b"a"  # read: now the most recent
    cache.set("d", b"d")
    assert cache.get("b") is None
    assert [cache.get(key) for key in "acd"] == [b"a", b"c", b"d"]

