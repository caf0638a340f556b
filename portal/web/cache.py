"""Caches for rendered bytes: a bounded one in each process, and Redis shared by all of them
when PORTAL_CACHE_REDIS_URL (or PORTAL_REDIS_URL) is set. A cache that fails is a miss, never an
error for the reader.

Only what many readers ask for belongs in Redis: a caller shares a value by giving it a TTL.
Shared keys carry CACHE_KEY_PREFIX, so cached bytes never mix with the rate limiter's counters
(docs/deploy.md: give the cache its own database or instance with maxmemory and allkeys-lru).
"""

import logging
import threading

import redis
from cachetools import Cache, LRUCache
from flask import current_app

log = logging.getLogger(__name__)


class LocalCache:
    """One of cachetools' caches (an LRU by default), safe across threads: they are not, and a
    gthread worker serves several requests at once (even a read reorders an LRU). A value too
    large for the whole cache is simply not kept."""

    def __init__(self, size: int = 0, items: Cache | None = None):
        self.items = items if items is not None else LRUCache(maxsize=size)
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            return self.items.get(key)

    def get_many(self, keys: list[str]) -> list:
        with self.lock:
            return [self.items.get(key) for key in keys]

    def set(self, key: str, value) -> None:
        with self.lock:
            try:
                self.items[key] = value
            except ValueError:  # cachetools: larger than maxsize
                pass

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


def shared_cache() -> "redis.Redis | None":
    return current_app.extensions.get("portal_redis")


def shared_get(key: str) -> tuple[bytes | None, bool]:
    """The value Redis holds for `key` (CACHE_KEY_PREFIX added), and whether Redis answered (no
    Redis, or one that failed: don't wait on it again to share what is made instead)."""
    shared = shared_cache()
    if shared is None:
        return None, False
    try:
        return shared.get(current_app.config["CACHE_KEY_PREFIX"] + key), True
    except redis.RedisError:
        log.warning("Redis cache unavailable; rendering locally", exc_info=True)
        return None, False


def shared_set(key: str, value: bytes, ttl: int) -> None:
    shared = shared_cache()
    if shared is None:
        return
    try:
        shared.set(current_app.config["CACHE_KEY_PREFIX"] + key, value, ex=ttl)
    except redis.RedisError:
        log.warning("Redis cache unavailable; not shared", exc_info=True)


def cached_bytes(local: LocalCache, key: str, make, shared_ttl: int | None = None) -> bytes:
    """The value for `key`: from this process, else (when `shared_ttl` is given) from Redis, else
    made. It is kept in this process, and in Redis for `shared_ttl` seconds when given."""
    value = local.get(key)
    if value is not None:
        return value
    shared = False
    if shared_ttl is not None:
        value, shared = shared_get(key)
    if value is None:
        value = make()
        if shared:
            shared_set(key, value, shared_ttl)
    local.set(key, value)
    return value


def init_app(app):
    if app.config["CACHE_REDIS_URL"]:
        # Short timeouts: a slow Redis must not hold a page up.
        app.extensions["portal_redis"] = redis.Redis.from_url(
            app.config["CACHE_REDIS_URL"], socket_timeout=0.5, socket_connect_timeout=0.5)
