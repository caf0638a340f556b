"""Browsers that have signed in to an account before ("device cookies", from OWASP's guidance on
slowing online guessing), so that failures from elsewhere never lock the owner out.

A browser that signs in gets a signed cookie naming the account (its id and session_version, so
a password change voids the cookies of every browser, a thief's included) and a random nonce.
Failed sign-ins are then counted apart: per account and per address for browsers without such a
cookie, per nonce for a browser with one. A flood of wrong passwords from elsewhere locks out
unknown browsers only; a known browser is held up by its own failures alone.
"""

import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from ..config import signing_keys
from .models import User, normalise_email, user_by_email

COOKIE = "known_device"
# Only the sign-in form reads it: no other request carries it.
COOKIE_PATH = "/login"
COOKIE_MAX_AGE = 365 * 86400


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(signing_keys(current_app.config), salt="known-device")


def _names(data, user: User | None) -> bool:
    return (isinstance(data.get("n"), str) and user is not None
            and data.get("u") == user.id and data.get("v") == user.session_version)


def posted_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def known_device_nonce() -> str | None:
    """The nonce of this browser's device cookie when it was issued for the account being signed
    in to (the posted email) since its password last changed, else None."""
    if "known_device_nonce" not in g:
        nonce = None
        value = request.cookies.get(COOKIE)
        if value:
            try:
                data = _serializer().loads(value)
            except BadSignature:
                data = None
            if isinstance(data, dict) and _names(data, user_by_email(posted_email())):
                nonce = data["n"]
        g.known_device_nonce = nonce
    return g.known_device_nonce


def is_known_device() -> bool:
    return known_device_nonce() is not None


def remember_device(response, user: User):
    """Mark this browser as one that has signed in to the account (a fresh nonce each time)."""
    config = current_app.config
    value = _serializer().dumps({"u": user.id, "v": user.session_version, "n": secrets.token_urlsafe(16)})
    response.set_cookie(COOKIE, value, max_age=COOKIE_MAX_AGE, path=COOKIE_PATH,
                        secure=config["REMEMBER_COOKIE_SECURE"], httponly=True, samesite="Lax")
    return response
