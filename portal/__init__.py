"""The news portal's application factory."""

import logging
from pathlib import Path

from flask import Flask

from . import accounts, bookmarks, demo, desk, media, news, ops, push, reading, search, web, wire
from .config import configure, instance_folder
from .database import configure_database
from .extensions import csrf, db, limiter, migrate
from .web import pagecache

# Where templates/, static/ and migrations/ are: inside the package when it was installed from
# the wheel (pyproject.toml maps them there), at the top level of a checkout, beside the package.
_PACKAGE = Path(__file__).resolve().parent
RESOURCE_ROOT = _PACKAGE if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent


def create_app(config=None):
    app = Flask(
        __name__,
        instance_path=instance_folder(),
        template_folder=str(RESOURCE_ROOT / "templates"),
        static_folder=str(RESOURCE_ROOT / "static"),
    )
    configure(app, config)
    if app.config["ENV"] != "production":
        # Development mail (password reset links) is written to the log at INFO.
        app.logger.setLevel(logging.INFO)
    configure_database(app)
    # Batch mode lets migrations alter tables on SQLite too.
    migrate.init_app(app, db, directory=str(RESOURCE_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    # Every limit is on a decorated view, which checks its own (flask-limiter's decorator); the
    # extension's check of every request is for app-wide limits, which there are none of, and
    # would cost every request a tenth of a bare Flask route's time.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    # Plumbing first, then the features, each below those that build on it.
    web.init_app(app)
    media.init_app(app)
    news.init_app(app)
    push.init_app(app)
    accounts.init_app(app)
    bookmarks.init_app(app)
    reading.init_app(app)
    desk.init_app(app)
    search.init_app(app)
    wire.init_app(app)
    demo.init_app(app)
    ops.init_app(app)
    # Last, so it runs first of the response hooks: a reader page's answer is public before any
    # feature's hook (the remember-cookie renewal) or the security headers ask.
    app.after_request(pagecache.mark_public_page)
    return app

