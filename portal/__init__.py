"""The news portal's application factory."""

import logging
from pathlib import Path

from flask import Flask

from . import (
    articles,
    auth,
    bookmark_export,
    bookmarks,
    cache,
    cli,
    feed,
    live,
    ops,
    password_reset,
    public_responses,
    search,
    share,
    syndication,
    web,
)
from .config import configure
from .database import configure_database
from .extensions import csrf, db, limiter, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, config)
    if app.config["ENV"] != "production":
        # Development mail (password reset links) is written to the log at INFO.
        app.logger.setLevel(logging.INFO)
    configure_database(app)
    # Batch mode lets migrations alter tables on SQLite too.
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    public_responses.init_app(app)
    auth.init_app(app)
    web.init_app(app)
    ops.init_app(app)
    app.register_blueprint(feed.bp)
    app.register_blueprint(articles.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(password_reset.bp)
    app.register_blueprint(bookmarks.bp)
    app.register_blueprint(bookmark_export.bp)
    app.register_blueprint(share.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(live.bp)
    app.register_blueprint(syndication.bp)
    app.add_template_global(bookmarks.bookmarks_return_path)
    cli.init_app(app)
    return app

