"""News pushed to open pages: /live/stream (server-sent events) tells each open front page and
section page of new stories as they are published (snapshot: what to tell; notifier: one
subscription per process; waiting: threads or greenlets; streams: the endpoint; worker: the
gunicorn worker that holds thousands of streams; announce: the publishing path's word to Redis)."""

from . import announce
from .streams import Streams


def init_app(app):
    app.wsgi_app = app.extensions["portal.streams"] = Streams(app, app.wsgi_app)
    announce.init_app(app)
