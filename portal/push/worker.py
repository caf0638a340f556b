"""The gunicorn worker that serves pages and holds thousands of open streams: gevent's loop for
connections, and no monkey-patching. Pages run in a small pool of real threads, where SQLite,
psycopg and redis-py block as they always do without holding the loop up (SQLite calls would
block gevent's hub, and busy_timeout for seconds); only /live/stream stays on the loop, a greenlet
each, waiting on a gevent event (portal.push.waiting). gunicorn.conf.py names it.
"""

import resource

from gevent import socket
from gevent.threadpool import ThreadPool
from gunicorn.workers.ggevent import GeventWorker

from .streams import PATH
from .waiting import wait_in_greenlets


class PagesInThreads:
    """WSGI: every request but a stream is answered in the thread pool."""

    def __init__(self, app, threads: int):
        self.app = app
        self.pool = ThreadPool(threads)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == PATH:
            return self.app(environ, start_response)
        return self.pool.apply(self.app, (environ, start_response))


class StreamingWorker(GeventWorker):
    def patch(self):
        # gevent's own sockets for the listeners, as gunicorn's gevent worker makes them; nothing
        # of the standard library is patched.
        self.sockets = [socket.socket(s.FAMILY, socket.SOCK_STREAM, fileno=s.sock.detach()) for s in self.sockets]
        wait_in_greenlets()
        # A stream is a file descriptor: allow as many as the system lets this process have.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))

    def load_wsgi(self):
        super().load_wsgi()
        self.streams = getattr(self.wsgi, "extensions", {}).get("portal.streams")
        self.wsgi = PagesInThreads(self.wsgi, self.cfg.threads)

    def handle_quit(self, sig, frame):
        self._end_streams()
        super().handle_quit(sig, frame)

    def handle_exit(self, sig, frame):
        self._end_streams()
        super().handle_exit(sig, frame)

    def _end_streams(self):
        # Open streams would hold the worker for graceful_timeout: they end now, and browsers
        # reconnect (to another worker, or to this one's successor) after their retry.
        if self.streams is not None:
            self.streams.end_all()
