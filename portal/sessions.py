"""Sign-ins kept on the server, so that any one of them can be ended.

Each sign-in is a UserSession row. The session cookie carries the row's random key (the row keeps
only its SHA-256), so a copied cookie stops working the moment its row is gone: on signing out,
"Sign out" beside it on the account page, "Sign out everywhere", a password change, or expiry
(REMEMBER_COOKIE_DURATION after signing in, SESSION_IDLE_TIMEOUT after it was last used).

"Keep me signed in" adds a remember cookie, "<row id>.<validator>". When the browser comes back
without its session cookie, a matching validator restores the sign-in under a new key and a new
validator, so each remember cookie works once.

Operations flush; the caller commits. touch() alone writes on its own: it is bookkeeping that
must never commit a request's work.
"""

import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import and_, delete, not_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .extensions import db
from .models import User, UserSession, parse_id, utcnow

# Written at most this often: a signed-in reader's pages don't each cost a write.
TOUCH_INTERVAL = timedelta(minutes=5)
MAX_SECRET_LENGTH = 100  # token_urlsafe(32) is 43 characters; anything much longer names nothing


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def network_of(address: str | None) -> str:
    """The reader's network rather than their address: the /24 of IPv4, the /48 of IPv6."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))


@cache
def _user_agent_parser():
    # ua-parser's rules (uap-core) load once per process, on the first sign-in.
    import ua_parser

    return ua_parser.parse


def describe_browser(user_agent: str | None) -> str:
    """"Firefox on Linux", "Mobile Safari on iOS": what a reader recognises on the account page."""
    if not user_agent:
        return "Unknown browser"
    parsed = _user_agent_parser()(user_agent[:1000])
    browser = parsed.user_agent.family if parsed.user_agent else "Unknown browser"
    if parsed.os and parsed.os.family != "Other":
        return f"{browser} on {parsed.os.family}"[:120]
    return browser[:120]


def _alive(now: datetime):
    """The conditions of a sign-in that has not expired."""
    config = current_app.config
    return (
        UserSession.created_at > now - timedelta(seconds=config["REMEMBER_COOKIE_DURATION"]),
        UserSession.last_seen_at > now - timedelta(seconds=config["SESSION_IDLE_TIMEOUT"]),
    )


def expires_at(row: UserSession) -> datetime:
    """When the sign-in ends at the latest, however often it is used."""
    return row.created_at + timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])


def start_session(user: User, user_agent: str | None, address: str | None,
                  remember: bool) -> tuple[UserSession, str, str | None]:
    """A new sign-in for the user: the row, its session key, and its remember validator (None
    unless remembered). Also forgets the user's sign-ins that have expired."""
    now = utcnow()
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, not_(and_(*_alive(now))))
    )
    key = new_secret()
    validator = new_secret() if remember else None
    row = UserSession(user_id=user.id, key_digest=digest(key),
                      remember_digest=digest(validator) if validator else None,
                      created_at=now, last_seen_at=now,
                      browser=describe_browser(user_agent), network=network_of(address))
    db.session.add(row)
    db.session.flush()
    set_committed_value(row, "user", user)
    return row, key, validator


def _with_user(stmt):
    return stmt.options(joinedload(UserSession.user))


def session_for_key(key) -> UserSession | None:
    """The live sign-in whose session cookie carries this key, with its user."""
    if not isinstance(key, str) or not key or len(key) > MAX_SECRET_LENGTH:
        return None
    return db.session.scalar(
        _with_user(select(UserSession)).where(UserSession.key_digest == digest(key), *_alive(utcnow()))
    )


def parse_remember_cookie(value: str | None) -> tuple[int, str] | None:
    row_id, _, validator = (value or "").partition(".")
    row_id = parse_id(row_id)
    if row_id is None or not validator or len(validator) > MAX_SECRET_LENGTH:
        return None
    return row_id, validator


def remember_cookie_value(row: UserSession, validator: str) -> str:
    return f"{row.id}.{validator}"


def session_for_remember_cookie(value: str | None) -> tuple[UserSession, str] | None:
    """The live, remembered sign-in this remember cookie names, if its validator is the current
    one; with the validator, which renew() needs."""
    parsed = parse_remember_cookie(value)
    if parsed is None:
        return None
    row_id, validator = parsed
    row = db.session.scalar(
        _with_user(select(UserSession)).where(UserSession.id == row_id, UserSession.remember_digest.is_not(None),
                                              *_alive(utcnow()))
    )
    if row is None or not hmac.compare_digest(row.remember_digest, digest(validator)):
        return None
    return row, validator


def renew(row: UserSession, validator: str) -> tuple[str, str] | None:
    """A new session key and remember validator for a sign-in restored from its remember cookie.
    None when another request has renewed it meanwhile (its answer carries the new cookies)."""
    key, new_validator = new_secret(), new_secret()
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.id == row.id, UserSession.remember_digest == digest(validator))
        .values(key_digest=digest(key), remember_digest=digest(new_validator), last_seen_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return key, new_validator


def touch(row: UserSession) -> None:
    """Note that the sign-in was used now (at most every TOUCH_INTERVAL), in a transaction of its
    own: the idle timeout counts from here."""
    now = utcnow()
    if now - row.last_seen_at < TOUCH_INTERVAL:
        return
    with db.engine.begin() as connection:
        connection.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    set_committed_value(row, "last_seen_at", now)


def active_sessions(user: User) -> list[UserSession]:
    """The user's live sign-ins, the most recently used first."""
    return list(db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, *_alive(utcnow()))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


def end_session(user: User, session_id: int) -> bool:
    """End one of the user's sign-ins; False if they have none with that id."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def end_sessions(user: User, keep: UserSession | None = None) -> None:
    """End every sign-in of the user, but `keep`."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    db.session.execute(stmt.execution_options(synchronize_session=False))
