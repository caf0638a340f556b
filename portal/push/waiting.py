"""How open streams wait for the next snapshot: threads (the development server, a threaded
worker) on a condition; greenlets (the streaming worker, portal.push.worker) on a gevent event,
woken from the notifier's thread through the hub's thread-safe async watcher."""

import threading

# What wait() answers once the streams are to end (the process is shutting down).
CLOSED = object()


class ThreadBroadcast:
    def __init__(self):
        self._condition = threading.Condition()
        self.snapshot = None
        self._closed = False

    def publish(self, snapshot) -> None:
        with self._condition:
            self.snapshot = snapshot
            self._condition.notify_all()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def wait(self, seen_version, timeout: float):
        """A snapshot newer than `seen_version`, None after `timeout` seconds, or CLOSED."""
        with self._condition:
            self._condition.wait_for(lambda: self._closed or self._moved_on(seen_version), timeout)
            if self._closed:
                return CLOSED
            return self.snapshot if self._moved_on(seen_version) else None

    def _moved_on(self, seen_version) -> bool:
        return self.snapshot is not None and self.snapshot.version != seen_version


class GeventBroadcast:
    """Made in the hub's thread; publish() may be called from any thread."""

    def __init__(self):
        import gevent
        from gevent.event import Event

        self._new_event = Event
        self._event = Event()
        self.snapshot = None
        self._pending = None
        self._closed = False
        self._wakeup = gevent.get_hub().loop.async_()
        self._wakeup.start(self._deliver)

    def publish(self, snapshot) -> None:
        self._pending = snapshot
        self._wakeup.send()

    def close(self) -> None:
        self._closed = True
        self._wakeup.send()

    def _deliver(self) -> None:  # in the hub
        self.snapshot = self._pending if self._pending is not None else self.snapshot
        event, self._event = self._event, self._new_event()
        event.set()

    def wait(self, seen_version, timeout: float):
        if not (self._closed or self._moved_on(seen_version)):
            self._event.wait(timeout)
        if self._closed:
            return CLOSED
        return self.snapshot if self._moved_on(seen_version) else None

    def _moved_on(self, seen_version) -> bool:
        return self.snapshot is not None and self.snapshot.version != seen_version


_gevent = False


def wait_in_greenlets() -> None:
    """Said by the streaming worker as it starts, before any stream opens."""
    global _gevent
    _gevent = True


def new_broadcast():
    return GeventBroadcast() if _gevent else ThreadBroadcast()
