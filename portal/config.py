"""Configuration: defaults here, then PORTAL_* environment variables, then the caller's overrides."""

import os
import secrets
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HTMX_VERSION = "2.0.11"
HTMX_CDN_URL = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# openssl dgst -sha384 -binary static/vendor/htmx-2.0.11.min.js | openssl base64 -A
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"

DEFAULTS = {
    "ENV": "development",
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,  # None: SQLite file under instance/
    "PUBLIC_URL": None,  # e.g. https://news.example.com; None: the request's host
    "SITE_NAME": "Tech Desk",
    "TIMEZONE": "UTC",
    "FEED_PAGE_SIZE": 30,
    # /?through=<id> re-renders at most this many stories, so a restored list stays cheap
    "FEED_THROUGH_CAP": 600,
    "HTMX_CDN": None,  # None: on in production, off elsewhere
}


class ConfigError(SystemExit):
    """Start-up stops with a one-line message rather than a traceback."""


def configure(app, overrides=None):
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("PORTAL")
    if overrides:
        app.config.from_mapping(overrides)
    cfg = app.config
    production = cfg["ENV"] == "production"

    if not cfg["SECRET_KEY"]:
        if production:
            raise ConfigError("PORTAL_SECRET_KEY must be set when PORTAL_ENV=production")
        cfg["SECRET_KEY"] = _development_secret(Path(app.instance_path))

    if not cfg["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        cfg["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "portal.db")

    if cfg["HTMX_CDN"] is None:
        cfg["HTMX_CDN"] = production
    cfg["HTMX_CDN"] = _as_bool(cfg["HTMX_CDN"])
    cfg["HTMX_VERSION"] = HTMX_VERSION
    cfg["HTMX_CDN_URL"] = HTMX_CDN_URL
    cfg["HTMX_SRI"] = HTMX_SRI

    if cfg["PUBLIC_URL"]:
        cfg["PUBLIC_URL"] = str(cfg["PUBLIC_URL"]).rstrip("/")
    try:
        cfg["TZINFO"] = ZoneInfo(cfg["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"PORTAL_TIMEZONE={cfg['TIMEZONE']!r} is not a known time zone") from None
    for key in ("FEED_PAGE_SIZE", "FEED_THROUGH_CAP"):
        cfg[key] = int(cfg[key])
    if production:
        cfg["DEBUG"] = False
        cfg["PROPAGATE_EXCEPTIONS"] = False


def _as_bool(value):
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _development_secret(instance: Path) -> str:
    """Generate a key once and keep it, so development sessions survive restarts."""
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race; use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    print(f"Generated a development secret key in {path}", file=sys.stderr)
    return key
