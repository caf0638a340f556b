"""Browsers that have signed in to an account before ("device cookies", from OWASP's guidance on
slowing online guessing), so that failures from elsewhere never lock the owner out.

A browser that signs in gets a signed cookie naming the account (by a digest of its email) and a
random nonce. Failed sign-ins are then counted apart: per account and per address for browsers
without such a cookie, per nonce for a browser with one. A flood of wrong passwords from
elsewhere locks out unknown browsers only; a known browser is held up by its own failures alone.
"""

import hashlib
import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from .models import normalise_email

COOKIE = "known_device"
# Only the sign-in form reads it: no other request carries it.
COOKIE_PATH = "/login"
COOKIE_MAX_AGE = 365 * 86400


def _serializer() -> URLSafeSerializer:
    config = current_app.config
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]
    return URLSafeSerializer(keys, salt="known-device")


def account_tag(email: str) -> str:
    """Names the account in the cookie without spelling out its email."""
    return hashlib.sha256(b"known-device:" + normalise_email(email).encode()).hexdigest()[:24]


def posted_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def known_device_nonce() -> str | None:
    """The nonce of this browser's device cookie when it was issued for the account being signed
    in to (the posted email), else None."""
    if "known_device_nonce" not in g:
        nonce = None
        value = request.cookies.get(COOKIE)
        if value:
            try:
                data = _serializer().loads(value)
            except BadSignature:
                data = None
            if (isinstance(data, dict) and isinstance(data.get("n"), str)
                    and data.get("a") == account_tag(posted_email())):
                nonce = data["n"]
        g.known_device_nonce = nonce
    return g.known_device_nonce


def is_known_device() -> bool:
    return known_device_nonce() is not None


def remember_device(response, email: str):
    """Mark this browser as one that has signed in to the account (a fresh nonce each time)."""
    config = current_app.config
    value = _serializer().dumps({"a": account_tag(email), "n": secrets.token_urlsafe(16)})
    response.set_cookie(COOKIE, value, max_age=COOKIE_MAX_AGE, path=COOKIE_PATH,
                        secure=config["REMEMBER_COOKIE_SECURE"], httponly=True, samesite="Lax")
    return response
