"""Two-step sign-in with an authenticator app (TOTP, RFC 6238, by pyotp) and recovery codes.

An account enrolls from the account page: a secret is made and kept in the session until the
reader types a code from their app, which proves the app has it; then the secret is stored with
the account and ten recovery codes are shown once (only their SHA-256 is kept). From then on a
password alone does not sign in: the sign-in waits in the session (whose account, for how long)
until an authentication code or a recovery code is typed. Each TOTP code works once (the time
step of the last one accepted is kept), and each recovery code once.

Operations flush; the caller commits.
"""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from flask import current_app, session
from markupsafe import Markup
from sqlalchemy import delete, select

from ..extensions import db
from .models import RecoveryCode, User

RECOVERY_CODES = 10
# A sign-in that passed its password waits this long for its code.
PENDING_SECONDS = 300
_ENROLLING = "two_factor_enrolling"
_PENDING = "two_factor_pending"


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# ---- enrolling --------------------------------------------------------------------------

def enrolling_secret() -> str:
    """The secret being enrolled in this session: made on the first look at the setup page."""
    if not session.get(_ENROLLING):
        session[_ENROLLING] = pyotp.random_base32()
    return session[_ENROLLING]


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SITE_NAME"])


def qr_svg(uri: str) -> Markup:
    """The otpauth:// URI as an inline SVG for the app's camera (no image request, no script)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, border=2, title="QR code for your authenticator app"))


def grouped(secret: str) -> str:
    """The secret in groups of four, as it is typed by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def enroll(user: User, code: str) -> list[str] | None:
    """Store the enrolling secret if `code` is its current code; the new recovery codes, or None
    for a wrong code."""
    secret = session.get(_ENROLLING)
    if not secret:
        return None
    step = _matching_step(secret, code, after=None)
    if step is None:
        return None
    user.totp_secret, user.totp_last_step = secret, step
    session.pop(_ENROLLING, None)
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh recovery codes ("abcd-efgh-jk"), replacing any the account had."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_digest=_digest(_normalised(code))) for code in codes)
    db.session.flush()
    return codes


def _recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits, 10 hex digits
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def turn_off(user: User) -> None:
    user.totp_secret = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


# ---- signing in -------------------------------------------------------------------------

def check_code(user: User, code: str) -> bool:
    """An authentication code of the account's app not used before, or one of its recovery codes
    (which is then spent)."""
    if not user.uses_two_factor:
        return False
    step = _matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        db.session.flush()
        return True
    return _spend_recovery_code(user, code)


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (30 s) whose code this is, allowing one step of clock drift either way."""
    code = _normalised(code)
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _spend_recovery_code(user: User, code: str) -> bool:
    code = _normalised(code)
    if len(code) != 10:
        return False
    row = db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                       RecoveryCode.code_digest == _digest(code)))
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id)).all())


def hold_sign_in(user: User, remember: bool, next_url: str | None, pending_save: str) -> None:
    """A password was right and the account uses two steps: wait for the code."""
    session[_PENDING] = {"user_id": user.id, "remember": bool(remember), "next": next_url or "",
                         "save": pending_save or "", "until": time.time() + PENDING_SECONDS}


def held_sign_in() -> tuple[User, dict] | None:
    """The account whose sign-in waits for its code, and what it asked for; None when nothing
    waits or it waited too long."""
    pending = session.get(_PENDING)
    if not pending or pending.get("until", 0) < time.time():
        session.pop(_PENDING, None)
        return None
    user = db.session.get(User, pending["user_id"])
    if user is None or not user.uses_two_factor:
        session.pop(_PENDING, None)
        return None
    return user, pending


def release_sign_in() -> None:
    session.pop(_PENDING, None)
