"""The news portal's application factory."""

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy import event

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


def configure_database(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    cfg = app.config
    if uri.startswith("postgresql"):
        options = cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("pool_pre_ping", True)  # a connection the server dropped is replaced, not used
        options.setdefault("pool_size", cfg["DB_POOL_SIZE"])
        options.setdefault("max_overflow", cfg["DB_MAX_OVERFLOW"])
        options.setdefault("pool_timeout", cfg["DB_POOL_TIMEOUT"])
        connect_args = options.setdefault("connect_args", {})
        connect_args.setdefault("connect_timeout", cfg["DB_CONNECT_TIMEOUT"])
        # A network that drops packets silently is noticed in seconds, not at the OS's default.
        connect_args.setdefault("keepalives", 1)
        connect_args.setdefault("keepalives_idle", 5)
        connect_args.setdefault("keepalives_interval", 2)
        connect_args.setdefault("keepalives_count", 2)
        connect_args.setdefault("tcp_user_timeout", cfg["DB_STATEMENT_TIMEOUT"])
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    if uri.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets readers run beside a writer (several gunicorn workers);
            # busy_timeout waits for a lock rather than failing at once.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    elif uri.startswith("postgresql"):
        timeout = int(cfg["DB_STATEMENT_TIMEOUT"])

        @event.listens_for(engine, "connect")
        def _postgresql_timeouts(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {timeout}")
            dbapi_connection.commit()
