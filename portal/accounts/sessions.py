"""Sign-ins kept on the server, so that any one of them can be ended.

Each sign-in is a UserSession row. The session cookie carries the row's random key (the row keeps
only its SHA-256), so a copied cookie stops working the moment its row is gone: on signing out,
"Sign out" beside it on the account page, "Sign out everywhere", a password change, or expiry
(REMEMBER_COOKIE_DURATION after signing in, SESSION_IDLE_TIMEOUT after it was last used).

"Keep me signed in" adds a remember cookie, "<row id>.<validator>". When the browser comes back
without its session cookie, a matching validator restores the sign-in under a new key and a new
validator, so each remember cookie works once. The validator it replaced still signs in for
RENEWAL_GRACE (without renewing again): tabs restored together all carry it, and only the first
renews.

Operations flush; the caller commits. touch() and renew() write on their own: they run wherever a
request happens to load its reader, and must never commit (or be undone with) a request's work.
"""

import hashlib
import hmac
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import and_, bindparam, delete, not_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..web.ids import parse_id
from ..web.timestamps import utcnow
from .models import User, UserSession

log = logging.getLogger(__name__)

# Written at most this often: a signed-in reader's pages don't each cost a write.
TOUCH_INTERVAL = timedelta(minutes=5)
RENEWAL_GRACE = timedelta(seconds=30)
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


def expires_at(created_at: datetime) -> datetime:
    """When a sign-in made then ends at the latest, however often it is used."""
    return created_at + timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])


def forget_expired_sessions(user: User | None = None) -> int:
    """Delete expired sign-ins (their browser and network with them): one user's, or everyone's.
    Flushes; the caller commits. Returns how many."""
    stmt = delete(UserSession).where(not_(and_(*_alive(utcnow()))))
    if user is not None:
        stmt = stmt.where(UserSession.user_id == user.id)
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def start_session(user: User, user_agent: str | None, address: str | None,
                  remember: bool) -> tuple[UserSession, str, str | None]:
    """A new sign-in for the user: the row, its session key, and its remember validator (None
    unless remembered). Also forgets the user's sign-ins that have expired."""
    now = utcnow()
    forget_expired_sessions(user)
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


# Every request of a signed-in reader runs it: built once, since building costs more than running.
_SESSION_BY_KEY = _with_user(select(UserSession)).where(
    UserSession.key_digest == bindparam("key_digest"),
    UserSession.created_at > bindparam("created_after"),
    UserSession.last_seen_at > bindparam("seen_after"),
)


def session_for_key(key) -> UserSession | None:
    """The live sign-in whose session cookie carries this key, with its user (alive as _alive says)."""
    if not isinstance(key, str) or not key or len(key) > MAX_SECRET_LENGTH:
        return None
    now, config = utcnow(), current_app.config
    return db.session.scalar(_SESSION_BY_KEY, {
        "key_digest": digest(key),
        "created_after": now - timedelta(seconds=config["REMEMBER_COOKIE_DURATION"]),
        "seen_after": now - timedelta(seconds=config["SESSION_IDLE_TIMEOUT"]),
    })


def parse_remember_cookie(value: str | None) -> tuple[int, str] | None:
    row_id, _, validator = (value or "").partition(".")
    row_id = parse_id(row_id)
    if row_id is None or not validator or len(validator) > MAX_SECRET_LENGTH:
        return None
    return row_id, validator


def remember_cookie_value(session_id: int, validator: str) -> str:
    return f"{session_id}.{validator}"


@dataclass(frozen=True)
class Remembered:
    """A sign-in restored by its remember cookie, in plain values (the request's own database
    session may roll back before it is renewed)."""

    user: User
    row: UserSession
    session_id: int
    created_at: datetime
    validator: str
    renew: bool  # False: the validator was just replaced (another tab renewed it)


def session_for_remember_cookie(value: str | None) -> Remembered | None:
    """The live, remembered sign-in this remember cookie names, if its validator is the current
    one or the one replaced within RENEWAL_GRACE."""
    parsed = parse_remember_cookie(value)
    if parsed is None:
        return None
    row_id, validator = parsed
    now = utcnow()
    row = db.session.scalar(
        _with_user(select(UserSession)).where(UserSession.id == row_id, UserSession.remember_digest.is_not(None),
                                              *_alive(now))
    )
    if row is None:
        return None
    given = digest(validator)
    if hmac.compare_digest(row.remember_digest, given):
        renew = True
    elif (row.previous_remember_digest and hmac.compare_digest(row.previous_remember_digest, given)
          and row.remember_renewed_at is not None and now - row.remember_renewed_at < RENEWAL_GRACE):
        renew = False
    else:
        return None
    return Remembered(user=row.user, row=row, session_id=row.id, created_at=row.created_at,
                      validator=validator, renew=renew)


def renew(remembered: Remembered) -> tuple[str, str] | None:
    """A new session key and remember validator for a sign-in its remember cookie restored. None
    when another request renewed it first (its answer carries the new cookies)."""
    key, validator = new_secret(), new_secret()
    now = utcnow()
    with db.engine.begin() as connection:
        result = connection.execute(
            update(UserSession)
            .where(UserSession.id == remembered.session_id,
                   UserSession.remember_digest == digest(remembered.validator))
            .values(key_digest=digest(key), remember_digest=digest(validator),
                    previous_remember_digest=digest(remembered.validator), remember_renewed_at=now,
                    last_seen_at=now)
        )
    if result.rowcount != 1:
        return None
    return key, validator


def rekey(row: UserSession) -> tuple[str, str | None]:
    """New secrets for a sign-in that goes on (after a password change), so copies of its cookies
    taken before end: the new session key, and a new remember validator if it is remembered."""
    key = new_secret()
    row.key_digest = digest(key)
    validator = None
    if row.remember_digest is not None:
        validator = new_secret()
        row.remember_digest = digest(validator)
        row.previous_remember_digest = None
    db.session.flush()
    return key, validator


def touch(row: UserSession) -> None:
    """Note that the sign-in was used now (at most every TOUCH_INTERVAL), in a transaction of its
    own: the idle timeout counts from here."""
    now = utcnow()
    if now - row.last_seen_at < TOUCH_INTERVAL:
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    except SQLAlchemyError:
        # Bookkeeping only: a locked or read-only database must not cost the reader the page.
        log.warning("Could not note that a sign-in was used", exc_info=True)
        return
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
