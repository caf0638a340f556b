"""Readers' accounts and their sign-ins."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, Enum, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..web.timestamps import UTCDateTime, utcnow


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Role(enum.Enum):
    """What an account may do: read (everyone), edit on the desk, or also grant roles (admin)."""

    reader = "reader"
    editor = "editor"
    admin = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(80))
    # Read from the database with the sign-in on every request, so a revoked role is gone at once.
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16, validate_strings=True),
                                       default=Role.reader)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on every password change; password-reset links name it, so a used link is void.
    session_version: Mapped[int] = mapped_column(default=1)
    # Two-step sign-in (portal.accounts.two_factor): the TOTP secret once enrolled, and the time
    # step of the last code accepted, so a code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The secret in the private bookmarks feed's URL; the reader can reset it.
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)

    # A deleted account's id is never given to a new one, so nothing that named it names another.
    __table_args__ = ({"sqlite_autoincrement": True},)

    # The sign-in (UserSession) this object was loaded for, and the key its session cookie
    # carries: set by portal.accounts.sessions, never stored on the user.
    current_session = None
    session_key = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the sign-in's random key, never the
        account's id, so ending that sign-in on the server ends every copy of the cookie."""
        if self.session_key is None:
            raise RuntimeError("sign in through portal.accounts.sessions.start_session()")
        return self.session_key

    @property
    def is_editor(self) -> bool:
        """May work on the desk: editors and admins."""
        return self.role in (Role.editor, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def uses_two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def greeting_name(self) -> str:
        return self.display_name or self.email


class UserSession(db.Model):
    """One sign-in of a reader, on one browser. The session cookie carries its random key and a
    remember cookie its id and a validator; the row keeps only their SHA-256 digests."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # None: not remembered ("Keep me signed in" was not ticked).
    remember_digest: Mapped[str | None] = mapped_column(String(64))
    # The validator the last renewal replaced, and when: tabs restored together carry it.
    previous_remember_digest: Mapped[str | None] = mapped_column(String(64))
    remember_renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Signed in with an authentication code (or enrolled from this sign-in): the desk asks for it.
    second_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the account page shows: "Firefox on Linux", and the network (not the address).
    browser: Mapped[str] = mapped_column(String(120), default="")
    network: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(lazy="raise")

    __table_args__ = ({"sqlite_autoincrement": True},)



class RecoveryCode(db.Model):
    """A one-time code that stands in for an authentication code (a lost phone). Only its
    SHA-256 is kept; a used one is deleted."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_by_feed_token(token: str) -> User | None:
    return db.session.scalar(select(User).where(User.feed_token == token))
