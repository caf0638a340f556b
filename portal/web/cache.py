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
from cachetools import LRUCache
from flask import current_app

log = logging.getLogger(__name__)


class LocalCache:
    """A bounded least-recently-used map (cachetools' LRUCache), safe across threads: LRUCache is
    not, and a gthread worker serves several requests at once (even a read reorders it)."""

    def __init__(self, size: int):
        self.items: LRUCache[str, bytes] = LRUCache(maxsize=size)
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            return self.items.get(key)

    def set(self, key: str, value: bytes) -> None:
        with self.lock:
            self.items[key] = value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


def shared_cache() -> "redis.Redis | None":
    return current_app.extensions.get("portal_redis")


def cached_bytes(local: LocalCache, key: str, make, shared_ttl: int | None = None) -> bytes:
    """The value for `key`: from this process, else (when `shared_ttl` is given) from Redis, else
    made. It is kept in this process, and in Redis for `shared_ttl` seconds when given."""
    value = local.get(key)
    if value is not None:
        return value
    shared = shared_cache() if shared_ttl is not None else None
    shared_key = current_app.config["CACHE_KEY_PREFIX"] + key
    if shared is not None:
        try:
            value = shared.get(shared_key)
        except redis.RedisError:
            log.warning("Redis cache unavailable; rendering locally", exc_info=True)
            shared = None
    if value is None:
        value = make()
        if shared is not None:
            try:
                shared.set(shared_key, value, ex=shared_ttl)
            except redis.RedisError:
                log.warning("Redis cache unavailable; not shared", exc_info=True)
    local.set(key, value)
    return value


def init_app(app):
    if app.config["CACHE_REDIS_URL"]:
        # Short timeouts: a slow Redis must not hold a page up.
        app.extensions["portal_redis"] = redis.Redis.from_url(
            app.config["CACHE_REDIS_URL"], socket_timeout=0.5, socket_connect_timeout=0.5)
