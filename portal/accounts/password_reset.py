"""Password reset by email: a signed link that works once, for PASSWORD_RESET_MAX_AGE seconds."""

import hashlib
import hmac
from functools import partial

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse

from ..config import signing_keys
from ..extensions import db, limiter
from ..web import mail
from ..web.urls import absolute_url
from .auth import change_password, sign_in
from .forms import ResetPasswordForm, ResetRequestForm
from .models import User, normalise_email, user_by_email

bp = Blueprint("password_reset", __name__)


# Every request for a link counts, whether or not the address has an account. Past this limit
# the requester's address gets a 429: it tells them only about their own requests.
def _limit_per_address() -> str:
    return current_app.config["PASSWORD_RESET_LIMIT_PER_ADDRESS"]


def _within_account_limit(email: str) -> bool:
    """Counts a request for a link to `email`, account or not, against
    PASSWORD_RESET_LIMIT_PER_ACCOUNT: False once it is used up. This keeps anyone from flooding
    one inbox from many addresses; past it no mail goes out, but the page answers as usual, so
    the limit neither locks the owner out of the form nor tells anyone that it was reached."""
    config = current_app.config
    strategy = limiter.limiter  # flask-limiter's storage, or its in-memory fallback while that is down
    try:
        return strategy.hit(parse(config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"]),
                            config.get("RATELIMIT_KEY_PREFIX", ""), "reset-account", email)
    except strategy.storage.base_exceptions:
        # As for the other limits (RATELIMIT_SWALLOW_ERRORS): storage trouble must not keep the
        # owner's link from going out.
        current_app.logger.exception("Could not count a password reset request; sending the link anyway")
        return True


# ---- tokens -------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_keys(current_app.config), salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Changes with the password, however it was changed; reveals nothing of the hash.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    """A token naming the user as they are now: changing the password (which also bumps
    session_version) voids it, so it works once."""
    return _serializer().dumps({"id": user.id, "v": user.session_version, "h": _password_fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The user a reset token was made for, if it is genuine, unexpired and unused."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
        user_id, version, fingerprint = data["id"], data["v"], data["h"]
    except (BadSignature, TypeError, KeyError):  # BadSignature covers expired and malformed
        return None
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version:
        return None
    if not hmac.compare_digest(_password_fingerprint(user), fingerprint):
        return None
    return user


def describe_duration(seconds: int) -> str:
    """"1 hour", "30 minutes": how long a link stays valid, for people."""
    if seconds >= 3600 and seconds % 3600 == 0:
        amount, unit = seconds // 3600, "hour"
    elif seconds >= 60:
        amount, unit = seconds // 60, "minute"
    else:
        amount, unit = seconds, "second"
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def send_reset_link(user: User) -> None:
    link = absolute_url("password_reset.reset_with_token", token=reset_token(user))
    body = render_template(
        "accounts/mail/reset_password.txt", user=user, link=link,
        valid_for=describe_duration(current_app.config["PASSWORD_RESET_MAX_AGE"]),
    )
    mail.send_mail(user.email, f"Reset your {current_app.config['SITE_NAME']} password", body)


def send_reset_link_to(email: str, url_root: str) -> None:
    """A mail job: the link for the account of `email`, if it has one and its limit allows.
    `url_root` is the site's address as the request for the link came in (PUBLIC_URL, when set,
    takes its place in the link)."""
    if not _within_account_limit(email):
        current_app.logger.info("No reset link sent for %s: PASSWORD_RESET_LIMIT_PER_ACCOUNT is reached", email)
        return
    user = user_by_email(email)
    if user is None:
        return
    # absolute_url() builds on the request's host, which this thread has to be given.
    with current_app.test_request_context(base_url=url_root):
        send_reset_link(user)


# ---- views --------------------------------------------------------------------

def _private(response):
    """Pages reached through a reset link: the link must not leak through caches or Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_limit_per_address, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        response = redirect(url_for("password_reset.request_sent"), code=303)
        # The account limit, the lookup, the token, the message and its delivery all happen on the
        # mail thread: this page must not tell who has an account, by its answer or by its time.
        mail.submit_after(response, partial(send_reset_link_to, normalise_email(form.email.data),
                                            request.url_root))
        return response
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.get("/reset-password/sent")
def request_sent():
    return render_template(
        "accounts/reset_request.html", sent=True,
        valid_for=describe_duration(current_app.config["PASSWORD_RESET_MAX_AGE"]),
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_with_token(token: str):
    user = user_for_token(token)
    if user is None:
        page = render_template("accounts/reset_request.html", form=ResetRequestForm(), link_failed=True)
        return _private(current_app.make_response((page, 400)))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        change_password(user, form.password.data)  # ends every sign-in, and voids this link
        sign_in(user)
        flash("Your password is changed and you’re signed in. Any other devices have been signed out.")
        return redirect(url_for("auth.account"), code=303)
    status = 400 if request.method == "POST" else 200
    page = render_template("accounts/reset_password.html", form=form, user=user, token=token)
    return _private(current_app.make_response((page, status)))
