"""One subscription per process, started by the first stream (never by create_app): a thread
that keeps the current Snapshot and hands each new one to the streams.

Without Redis it looks at the content version once a second and reads a new snapshot when it has
moved on. With REDIS_URL the publishing path also says "stories changed" on a Redis channel
after each commit (portal.push.announce): the thread reads at once, and looks at the version every
SAFETY_POLL seconds besides, so a message lost (or Redis away) costs seconds, never the news.
"""

import logging
import threading
import time

import redis
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..news.version import read_version
from .snapshot import read_snapshot
from .waiting import new_broadcast

CHANNEL = "portal:stories-changed"
POLL_INTERVAL = 1.0  # seconds between looks at the version, without Redis
SAFETY_POLL = 5.0  # ... and with it
REDIS_RETRY = 5.0  # seconds before subscribing again after Redis went away

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, app):
        self.app = app
        self.broadcast = new_broadcast()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="portal-push-notifier", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait: bool = False) -> None:
        """The streams end now (the process is shutting down); with `wait`, the thread too, so
        nothing touches the database after this (an app being torn down)."""
        self._stop.set()
        self.broadcast.close()
        if wait:
            self._thread.join(timeout=SAFETY_POLL + 5)

    def _run(self) -> None:
        with self.app.app_context():
            redis_url = self.app.config["REDIS_URL"]
            subscription = None
            version = None
            while not self._stop.is_set():
                version = self._look(version)
                if redis_url and subscription is None:
                    subscription = self._subscribe(redis_url)
                if subscription is None:
                    self._stop.wait(POLL_INTERVAL)
                    continue
                try:
                    subscription.get_message(ignore_subscribe_messages=True, timeout=SAFETY_POLL)
                except (redis.RedisError, OSError) as error:
                    log.warning("push: Redis went away (%s): looking at the database each second",
                                type(error).__name__)
                    subscription.close()
                    subscription = None
                    self._retry_redis_at = time.monotonic() + REDIS_RETRY

    _retry_redis_at = 0.0

    def _subscribe(self, redis_url):
        if time.monotonic() < self._retry_redis_at:
            return None
        try:
            client = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=SAFETY_POLL + 5)
            subscription = client.pubsub()
            subscription.subscribe(CHANNEL)
            return subscription
        except redis.RedisError as error:
            log.warning("push: cannot subscribe on Redis (%s)", type(error).__name__)
            self._retry_redis_at = time.monotonic() + REDIS_RETRY
            return None

    _told_of = None  # the newest publication the streams have been told of

    def _record_lag(self, snapshot) -> None:
        published = snapshot.newest_published_at
        metrics = self.app.extensions.get("portal_metrics")
        if published is None or metrics is None or (self._told_of is not None and published <= self._told_of):
            return
        if self._told_of is not None:  # the first snapshot tells of nothing new
            metrics.notifier_lag.set(max(0.0, time.time() - published.timestamp()))
        self._told_of = published

    def _look(self, version):
        """Read a new snapshot when the content version moved on; the version now known."""
        try:
            current = read_version()
            if current != version:
                snapshot = read_snapshot()
                self.broadcast.publish(snapshot)
                self._record_lag(snapshot)
                return current
        except SQLAlchemyError as error:
            log.warning("push: the database did not answer (%s)", type(error).__name__)
        finally:
            db.session.remove()
        return version
