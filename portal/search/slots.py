"""Turns to search: SEARCH_CONCURRENCY searches run at once on the machine, the others wait their
turn, so a flood of searches takes a share of the CPU and leaves the rest to every other page."""

import fcntl
import hashlib
import logging
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


class SearchSlots:
    """Turns to search. At most `running` searches run at once on this machine, whichever worker
    process serves them (each holds a lock file; a running search costs a core); 0: no limit.
    One process holds at most `held` search requests at once, running or waiting for a turn:
    waiting costs no CPU but holds one of the worker's threads, so `held` stays below gunicorn's
    threads and other pages always find one free. Past that, a search is told to try again."""

    POLL = 0.01  # seconds between looks at the lock files while waiting

    def __init__(self, instance_path: str, running: int, held: int):
        # Named for this deployment (its instance folder) and its user, in the temp dir: app
        # servers of a PostgreSQL site may have no writable folder of their own.
        digest = hashlib.sha256(f"{os.getuid()}:{instance_path}".encode()).hexdigest()[:16]
        self._paths = [Path(tempfile.gettempdir()) / f"portal-search-{digest}-{n}.lock" for n in range(running)]
        self._held = threading.BoundedSemaphore(max(held, 1))

    @contextmanager
    def turn(self, wait: float):
        """True inside once this search may run (after at most `wait` seconds in line), else False."""
        if not self._paths:
            yield True
            return
        if not self._held.acquire(blocking=False):
            yield False
            return
        try:
            try:
                slot = self._take(time.monotonic() + wait)
            except OSError:
                # A lock file that can't be opened (taken by another user, say) must not cost
                # readers their search: it runs without a turn.
                log.warning("Search turns unavailable; searching without one", exc_info=True)
                yield True
                return
            if slot is None:
                yield False
                return
            try:
                yield True
            finally:
                os.close(slot)  # and with it the lock
        finally:
            self._held.release()

    def _take(self, deadline: float) -> int | None:
        while True:
            for path in self._paths:
                slot = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(slot, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return slot
                except BlockingIOError:
                    os.close(slot)
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.POLL)
