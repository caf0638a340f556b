"""Password rules and hashing."""

from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 256  # hashing cost grows with length; nobody needs more
COMMON_PASSWORDS_REFUSED = 10_000


@cache
def common_passwords() -> frozenset[str]:
    """The most common passwords, from zxcvbn's ranked list (loaded on first use: it is large)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_REFUSED])


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in common_passwords():
        return "That password is one of the most common ones, so it is easy to guess. Choose another."
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


# Checked against when an email has no account, so a failed login takes as long either way.
_DUMMY_HASHES: dict[str, str] = {}


def verify_password_or_waste_time(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASHES:
            _DUMMY_HASHES[method] = generate_password_hash("not a real password", method=method)
        check_password_hash(_DUMMY_HASHES[method], password)
        return False
    return verify_password(password_hash, password)
