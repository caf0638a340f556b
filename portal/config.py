"""Configuration: defaults here, then PORTAL_* environment variables, then the caller's overrides."""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HTMX_VERSION = "2.0.11"
HTMX_CDN_URL = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# openssl dgst -sha384 -binary static/vendor/htmx-2.0.11.min.js | openssl base64 -A
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
# htmx's server-sent events extension (npm htmx-ext-sse), vendored only: live lists' streams.
HTMX_SSE_VERSION = "2.2.4"
# openssl dgst -sha384 -binary static/vendor/htmx-ext-sse-2.2.4.min.js | openssl base64 -A
HTMX_SSE_SRI = "sha384-A986SAtodyH8eg8x8irJnYUk7i9inVQqYigD6qZ9evobksGNIXfeFvDwLSHcp31N"

DEFAULTS = {
    "ENV": "development",
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,  # None: SQLite file under instance/
    # PostgreSQL pool and timeouts: a database that goes away costs a reader seconds, not a hang.
    "DB_POOL_SIZE": 5,
    "DB_MAX_OVERFLOW": 10,
    "DB_POOL_TIMEOUT": 5,  # seconds to wait for a pooled connection
    "DB_CONNECT_TIMEOUT": 3,  # seconds to open a connection
    "DB_STATEMENT_TIMEOUT": 5000,  # milliseconds a statement may run
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host (werkzeug's ProxyFix).
    "PROXY_COUNT": 0,
    "PUBLIC_URL": None,  # e.g. https://news.example.com; None: the request's host
    "SITE_NAME": "Tech Desk",
    "TIMEZONE": "UTC",
    "FEED_PAGE_SIZE": 30,
    # /?through=<id> re-renders at most this many stories, so a restored list stays cheap
    "FEED_THROUGH_CAP": 600,
    # Seconds between a list's checks for new stories ("N new stories"), while its tab is visible
    # and the stream (/live/stream, which tells it within a second or two) can't be used.
    "LIVE_INTERVAL": 30,
    # Open streams one client address may hold at once in one worker (429 beyond).
    "STREAMS_PER_ADDRESS": 20,
    # Seconds between a stream's heartbeats (a comment): proxies keep it open, and a reader who
    # left is noticed at the next one.
    "STREAM_HEARTBEAT": 15,
    # Milliseconds one search may run before it is stopped and the reader asked to narrow it (0: no limit).
    "SEARCH_TIME_BUDGET": 300,
    # Searches running at once on this machine, all workers together (0: no limit); and search requests
    # one worker holds at once, running or waiting their turn (keep it below gunicorn's threads).
    "SEARCH_CONCURRENCY": 1,
    "SEARCH_QUEUE": 3,
    # Anonymous reader pages stored whole (portal.web.pagecache): on/off, and this process's
    # share of memory for them in bytes.
    "PAGE_CACHE": True,
    "PAGE_CACHE_BYTES": 32 * 1024 * 1024,
    # How long browsers and shared caches may keep an anonymous page, and serve it stale while
    # they fetch the next (seconds).
    "PAGE_MAX_AGE": 10,
    "PAGE_STALE_WHILE_REVALIDATE": 30,
    "HTMX_CDN": False,  # True: the pinned CDN file when it answers within a moment, else the vendored copy
    # Accounts
    "PASSWORD_HASH_METHOD": "scrypt",  # werkzeug's memory-hard default; tests use a cheap one
    "PASSWORD_RESET_MAX_AGE": 3600,  # seconds a reset link stays valid
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": None,  # None: on in production
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SECURE": None,  # None: on in production
    # Editors and admins open the desk only after signing in with an authentication code.
    "DESK_REQUIRE_2FA": None,  # None: required in production, optional in development
    "TWO_FACTOR_LIMIT": "10 per 15 minutes",  # codes tried per pending sign-in and per account
    # A sign-in ends this long after it began, remembered or not ...
    "REMEMBER_COOKIE_DURATION": 30 * 86400,
    # ... and once unused for this long (seconds).
    "SESSION_IDLE_TIMEOUT": 14 * 86400,
    # A page left open for hours must still be able to save a bookmark: tokens live as long as
    # the session they belong to.
    "WTF_CSRF_TIME_LIMIT": None,
    # Rate limits (flask-limiter notation), counted on failed attempts at logging in.
    "REDIS_URL": None,  # e.g. redis://127.0.0.1:6379/0 shares limits across workers and machines
    # Seconds the limiter waits on Redis before counting in process: a black-holed Redis must not
    # hold sign-ins up (redis-py would otherwise wait for the operating system's TCP timeout).
    "RATELIMIT_REDIS_TIMEOUT": 0.5,
    # Rendered images shared by all workers: None means REDIS_URL's server. Point it at another
    # database or instance with maxmemory and allkeys-lru (docs/deploy.md), so cached bytes can
    # never crowd out the limiter's counters.
    "CACHE_REDIS_URL": None,
    "CACHE_KEY_PREFIX": "portal:cache:",
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "REGISTER_LIMIT_PER_ADDRESS": "10 per hour",
    "ERROR_REPORT_LIMIT_PER_ADDRESS": "5 per hour",  # "Report an error" forms sent from one address
    "PASSWORD_RESET_LIMIT_PER_ADDRESS": "5 per 15 minutes",
    "PASSWORD_RESET_LIMIT_PER_ACCOUNT": "5 per hour",
    # Reading beacons a signed-in reader may send: each browser sends at most one a minute
    # (static/js/reading.js); the rest is room for the reader's other devices.
    "READING_BEACON_LIMIT": "4 per minute",
    # Host names this site answers to (Flask's TRUSTED_HOSTS), e.g. ["news.example.com"].
    # Production needs this or PUBLIC_URL, so no forged Host header reaches a link in an email.
    "TRUSTED_HOSTS": None,
    # Mail (password reset); without a server, messages go to the log.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,  # STARTTLS
    "MAIL_USE_SSL": False,
    "MAIL_SENDER": "Tech Desk <no-reply@localhost>",
    "MAIL_TIMEOUT": 10,
    # Other outlets' feeds imported as roundups (portal import-feed / poll-feeds).
    "FEED_SOURCES": [],  # what poll-feeds reads: a JSON list of {"name": ..., "url": ...} or plain URLs/paths
    "FEED_FETCH_TIMEOUT": 10,  # seconds to connect and between reads (the whole download: 3x)
    "FEED_MAX_BYTES": 5_000_000,  # a larger feed is refused
    "WIRE_AUTHOR_NAME": "Wire Desk",  # signs imported roundups; created when first needed
    "WIRE_AUTHOR_EMAIL": None,  # None: wire@ the PUBLIC_URL's host (or example.com)
    "IMPORT_SECTION": "business-tech",  # slug of the roundups' section (else the first section)
    # The desk's lead images (portal.media): kept in instance/media and served by the app under
    # /media/ by default; with MEDIA_BUCKET, put in that S3-compatible bucket (credentials through
    # boto3's own chain: environment, ~/.aws, instance role) and served from MEDIA_URL, e.g. the
    # bucket's public address or a CDN in front of it.
    "MEDIA_BUCKET": None,
    "MEDIA_BUCKET_ENDPOINT": None,  # the S3 API's address for a non-AWS bucket (MinIO, R2, ...)
    "MEDIA_URL": None,  # None: /media/ on this site
    "MEDIA_FOLDER": None,  # without a bucket, where the files are kept; None: media/ in the instance folder
    # The largest request body, in bytes (werkzeug answers 413): the site's forms are small.
    "MAX_CONTENT_LENGTH": 64 * 1024,
}


def instance_folder() -> str:
    """PORTAL_INSTANCE_PATH, else ./instance in the working directory (the checkout under `make`):
    never inside the package, which an installed wheel's user may not be able to write to."""
    return os.path.abspath(os.environ.get("PORTAL_INSTANCE_PATH") or "instance")


def signing_keys(config) -> list:
    """The keys that sign (the last, SECRET_KEY) and that still verify (SECRET_KEY_FALLBACKS, so
    what was signed before a key rotation keeps working), in itsdangerous' order."""
    return [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]


class ConfigError(SystemExit):
    """Start-up stops with a one-line message rather than a traceback."""


def configure(app, overrides=None):
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("PORTAL")
    if overrides:
        app.config.from_mapping(overrides)
    cfg = app.config
    production = cfg["ENV"] == "production"

    # Environment values are JSON-decoded: a secret of digits alone must stay a string.
    for key in ("SECRET_KEY", "MAIL_USERNAME", "MAIL_PASSWORD"):
        if cfg[key] is not None and not isinstance(cfg[key], str | bytes):
            cfg[key] = str(cfg[key])
    if not cfg["SECRET_KEY"]:
        if production:
            raise ConfigError("PORTAL_SECRET_KEY must be set when PORTAL_ENV=production")
        cfg["SECRET_KEY"] = _development_secret(Path(app.instance_path))

    if not cfg["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        cfg["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "portal.db")

    cfg["HTMX_CDN"] = _as_bool(cfg["HTMX_CDN"])
    cfg["PAGE_CACHE"] = _as_bool(cfg["PAGE_CACHE"])
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "DESK_REQUIRE_2FA"):
        cfg[key] = production if cfg[key] is None else _as_bool(cfg[key])
    for key in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        cfg[key] = _as_bool(cfg[key])
    cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"] or "memory://"
    if cfg["REDIS_URL"]:
        timeout = float(cfg["RATELIMIT_REDIS_TIMEOUT"])
        cfg.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": timeout, "socket_connect_timeout": timeout})
    if cfg["CACHE_REDIS_URL"] is None:
        cfg["CACHE_REDIS_URL"] = cfg["REDIS_URL"]
    cfg["RATELIMIT_HEADERS_ENABLED"] = True
    # Redis unreachable: count in process meanwhile rather than failing sign-ins.
    cfg["RATELIMIT_SWALLOW_ERRORS"] = True
    cfg["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    cfg["HTMX_VERSION"] = HTMX_VERSION
    cfg["HTMX_CDN_URL"] = HTMX_CDN_URL
    cfg["HTMX_SRI"] = HTMX_SRI
    cfg["HTMX_SSE_VERSION"] = HTMX_SSE_VERSION
    cfg["HTMX_SSE_SRI"] = HTMX_SSE_SRI

    if cfg["PUBLIC_URL"]:
        cfg["PUBLIC_URL"] = str(cfg["PUBLIC_URL"]).rstrip("/")
    if cfg["MEDIA_URL"]:
        cfg["MEDIA_URL"] = str(cfg["MEDIA_URL"]).rstrip("/")
        if urlsplit(cfg["MEDIA_URL"]).scheme not in ("http", "https") or not urlsplit(cfg["MEDIA_URL"]).netloc:
            raise ConfigError(f"PORTAL_MEDIA_URL={cfg['MEDIA_URL']!r} is not an http(s) address")
    if cfg["MEDIA_BUCKET"] and not cfg["MEDIA_URL"]:
        raise ConfigError("Set PORTAL_MEDIA_URL, the address readers fetch PORTAL_MEDIA_BUCKET's files from")
    try:
        cfg["TZINFO"] = ZoneInfo(cfg["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"PORTAL_TIMEZONE={cfg['TIMEZONE']!r} is not a known time zone") from None
    if production and not (cfg["PUBLIC_URL"] or cfg["TRUSTED_HOSTS"]):
        raise ConfigError("Set PORTAL_PUBLIC_URL (or PORTAL_TRUSTED_HOSTS) when PORTAL_ENV=production")
    for key in ("FEED_PAGE_SIZE", "FEED_THROUGH_CAP", "LIVE_INTERVAL", "STREAMS_PER_ADDRESS",
                "STREAM_HEARTBEAT", "PASSWORD_RESET_MAX_AGE", "MAIL_PORT",
                "MAIL_TIMEOUT", "REMEMBER_COOKIE_DURATION", "SESSION_IDLE_TIMEOUT", "DB_POOL_SIZE", "DB_MAX_OVERFLOW",
                "DB_POOL_TIMEOUT", "DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "PROXY_COUNT",
                "MAX_CONTENT_LENGTH"):
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
