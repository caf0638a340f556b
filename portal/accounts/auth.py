"""Reader accounts: register, sign in and out, the account page and its list of sign-ins."""


from blinker import Namespace
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db, limiter, login_manager
from ..web.forms import ActionForm
from ..web.public_responses import is_shared_cacheable
from ..web.timestamps import utcnow
from ..web.urls import safe_next
from . import known_devices, two_factor
from .forms import ChangePasswordForm, DeleteAccountForm, LoginForm, RegisterForm
from .models import User, UserSession, new_feed_token, normalise_email, user_by_email
from .operations import delete_user
from .passwords import hash_password, verify_password, verify_password_or_waste_time
from .sessions import (
    active_sessions,
    end_session,
    end_sessions,
    expires_at,
    rekey,
    remember_cookie_value,
    renew,
    session_for_key,
    session_for_remember_cookie,
    start_session,
    touch,
)

bp = Blueprint("auth", __name__)

# Our own remember cookie (portal.accounts.sessions), under the name Flask-Login's used to have: a value
# left from before sign-ins were kept on the server is simply refused, and the browser told to
# forget it. Flask-Login's own remember cookie is pointed at a name nothing sets.
REMEMBER_COOKIE = "remember_token"
FLASK_LOGIN_REMEMBER_COOKIE = "flask_login_remember_unused"


@login_manager.user_loader
def load_user(session_key: str):
    row = session_for_key(session_key)
    if row is None:
        return None
    touch(row)
    return _signed_in_user(row.user, row, session_key)


@login_manager.request_loader
def load_user_from_remember_cookie(request):
    """A browser back without its session cookie: its remember cookie signs it in for this
    request; renew_remembered_sign_in() gives it a new key and validator on the way out."""
    value = request.cookies.get(REMEMBER_COOKIE)
    if not value:
        return None
    found = session_for_remember_cookie(value)
    if found is None:
        g.forget_remember_cookie = True  # spent, expired or ended: stop sending it
        return None
    g.remembered_sign_in = found
    return _signed_in_user(found.user, found.row, None)


def _signed_in_user(user: User, row: UserSession, session_key: str | None) -> User:
    user.current_session = row
    user.session_key = session_key
    return user


def _remember_cookie_attributes() -> dict:
    config = current_app.config
    return {"secure": config["REMEMBER_COOKIE_SECURE"], "httponly": config["REMEMBER_COOKIE_HTTPONLY"],
            "samesite": config["REMEMBER_COOKIE_SAMESITE"]}


def set_remember_cookie(response, session_id: int, created_at, validator: str) -> None:
    seconds = max(0, int((expires_at(created_at) - utcnow()).total_seconds()))
    response.set_cookie(REMEMBER_COOKIE, remember_cookie_value(session_id, validator), max_age=seconds,
                        **_remember_cookie_attributes())


def clear_remember_cookie(response) -> None:
    response.delete_cookie(REMEMBER_COOKIE, **_remember_cookie_attributes())


def with_sign_in_cookies(response, user: User, validator: str | None):
    """The cookies a sign-in (or its new secrets) leaves on this browser: the remember cookie
    when it is remembered, and the known_device cookie."""
    if validator is not None:
        row = user.current_session
        set_remember_cookie(response, row.id, row.created_at, validator)
    return known_devices.remember_device(response, user)


def renew_remembered_sign_in(response):
    """After a remember cookie signed this request in: a new session key and validator, so the
    cookie just used never works again. Not on a response that shared caches may keep (it must
    carry no cookie), nor on a server error (the database may be what failed): the next private
    page renews instead."""
    if REMEMBER_COOKIE not in request.cookies:
        return response  # nothing to renew or forget (most requests: ask nothing of the session)
    if is_shared_cacheable(response) or response.status_code >= 500:
        return response
    # Load the reader now, if nothing has yet (a redirect, say): the remember cookie is read then,
    # so renewal never depends on another hook having asked who is signed in.
    current_user._get_current_object()
    remembered = g.pop("remembered_sign_in", None)
    if remembered is not None:
        if not remembered.renew:
            return response  # another tab renewed it a moment ago; its answer has the new cookie
        try:
            renewed = renew(remembered)
        except SQLAlchemyError:
            current_app.logger.warning("Could not renew a remembered sign-in", exc_info=True)
            return response
        if renewed is not None:
            key, validator = renewed
            login_user(_signed_in_user(remembered.user, remembered.row, key), fresh=False)
            set_remember_cookie(response, remembered.session_id, remembered.created_at, validator)
    elif g.pop("forget_remember_cookie", False):
        clear_remember_cookie(response)
    return response


def sign_in(user: User, remember: bool = False, second_factor: bool = False) -> str | None:
    """Start a sign-in on a fresh session (nothing from before survives: session fixation) and
    commit it; `second_factor` when it passed an authentication code too. Returns the remember
    validator when remembered, for set_remember_cookie()."""
    row, key, validator = start_session(user, request.user_agent.string, request.remote_addr, remember)
    row.second_factor = second_factor
    db.session.commit()
    session.clear()
    login_user(_signed_in_user(user, row, key))
    return validator


# Sent when a reader has signed in through the form, with `user` and `pending`: the form's
# `save` value, a story the reader asked to save on the way (the bookmarks feature does it). A
# receiver may return the id of an element to return to ("story-12"); it flushes, we commit.
signed_in_through_form = Namespace().signal("signed_in_through_form")


def finish_sign_in(user: User, next_url: str | None, pending_save: str | None, remember: bool = False,
                   second_factor: bool = False):
    """Sign in, let other features finish what the reader asked for on the way (`pending_save`),
    and return where they were (`next_url`)."""
    validator = sign_in(user, remember, second_factor)
    target = safe_next(next_url)
    results = signed_in_through_form.send(current_app._get_current_object(), user=user,
                                          pending=(pending_save or "").strip())
    db.session.commit()
    for _receiver, anchor in results:
        if anchor:
            target = f"{target.split('#')[0]}#{anchor}"
    return with_sign_in_cookies(redirect(target, code=303), user, validator)


def create_account(form) -> User | None:
    """The new account, or None when the email is taken (also by a registration racing this one)."""
    email = normalise_email(form.email.data)
    if user_by_email(email) is not None:
        return None
    user = User(email=email, display_name=(form.display_name.data or "").strip() or None,
                password_hash=hash_password(form.password.data))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return user


def change_password(user: User, new_password: str, keep: UserSession | None = None):
    """Set a new password and end every sign-in of this account but `keep` (this browser's), which
    gets new secrets: returns its new session key and remember validator (see sessions.rekey).
    Flushes; the caller commits."""
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    end_sessions(user, keep=keep)
    db.session.flush()
    return rekey(keep) if keep is not None else None


def _posted_account() -> str:
    return "account:" + known_devices.posted_email()


def _known_device_key() -> str:
    return "device:" + (known_devices.known_device_nonce() or "")


def _unknown_device() -> bool:
    return not known_devices.is_known_device()


def _failed(response) -> bool:
    return response.status_code >= 400


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"], methods=["POST"])
def register():
    form = RegisterForm(next=request.args.get("next"), save=request.args.get("save"))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data), code=303)
    if form.validate_on_submit():
        user = create_account(form)
        if user is not None:
            return finish_sign_in(user, form.next.data, form.save.data)
        form.email.errors.append("An account with this email already exists. Sign in instead.")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/register.html", form=form), status


# Failed sign-ins count per address and per account for browsers that have not signed in to the
# account before; a browser that has (known_devices) counts its own failures alone, so a flood
# from elsewhere never locks the owner out.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed,
               exempt_when=known_devices.is_known_device)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], deduct_when=_failed,
               key_func=_posted_account, scope="login-account", exempt_when=known_devices.is_known_device)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], deduct_when=_failed,
               key_func=_known_device_key, scope="login-device", exempt_when=_unknown_device)
def login():
    form = LoginForm(next=request.args.get("next"), save=request.args.get("save"))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data), code=303)
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if verify_password_or_waste_time(user.password_hash if user else None, form.password.data):
            if user.uses_two_factor:
                two_factor.hold_sign_in(user, form.remember.data, form.next.data, form.save.data)
                return redirect(url_for("two_factor.sign_in_code"), code=303)
            return finish_sign_in(user, form.next.data, form.save.data, remember=form.remember.data)
        # Never say which of the two was wrong: that would tell who has an account.
        form.form_errors.append("That email and password don’t match an account. Check both and try again.")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


def signed_out(message: str, target: str):
    """End this browser's session and remember cookie (the sign-in itself is the caller's)."""
    session.clear()
    logout_user()
    flash(message)
    response = redirect(target, code=303)
    clear_remember_cookie(response)
    return response


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_session(current_user, current_user.current_session.id)
        db.session.commit()
    return signed_out("You’re signed out.", url_for("feed.index"))


@bp.get("/account")
@login_required
def account():
    return render_account()


ACCOUNT_SECTIONS = "portal.account_sections"


def add_account_section(app, template: str) -> None:
    """A feature built on accounts shows a section of its own on the account page: `template`
    is included there, below the private feed (it sees the page's context)."""
    app.extensions.setdefault(ACCOUNT_SECTIONS, []).append(template)


def render_account(password_form=None, delete_form=None, status=200):
    return render_template(
        "accounts/account.html",
        more_sections=current_app.extensions.get(ACCOUNT_SECTIONS, []),
        password_form=password_form or ChangePasswordForm(),
        delete_form=delete_form or DeleteAccountForm(),
        token_form=ActionForm(),
        sign_ins=active_sessions(current_user),
        this_sign_in=current_user.current_session,
    ), status


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def account_end_session(session_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    if session_id == current_user.current_session.id:
        end_session(current_user, session_id)
        db.session.commit()
        return signed_out("You’re signed out.", url_for("feed.index"))
    if not end_session(current_user, session_id):
        abort(404)
    db.session.commit()
    flash("That browser is signed out.")
    return redirect(url_for("auth.account", _anchor="sign-ins"), code=303)


@bp.post("/account/sessions/end-all")
@login_required
def account_end_all_sessions():
    if not ActionForm().validate_on_submit():
        abort(400)
    end_sessions(current_user)
    db.session.commit()
    return signed_out("You’re signed out everywhere, on this browser too.", url_for("auth.login"))


@bp.post("/account/password")
@login_required
def account_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.current_password.data):
            user = current_user._get_current_object()
            row = user.current_session
            key, validator = change_password(user, form.new_password.data, keep=row)
            db.session.commit()
            # This browser carries on with new cookies: copies of its old ones end too.
            login_user(_signed_in_user(user, row, key))
            flash("Your password is changed. Other devices have been signed out.")
            return with_sign_in_cookies(redirect(url_for("auth.account"), code=303), user, validator)
        form.current_password.errors.append("That isn’t your current password.")
    return render_account(password_form=form, status=400)


@bp.post("/account/delete")
@login_required
def account_delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            delete_user(db.session.get(User, current_user.id))
            db.session.commit()
            return signed_out("Your account, its bookmarks and its reading history are deleted.", url_for("feed.index"))
        form.password.errors.append("That isn’t your password.")
    return render_account(delete_form=form, status=400)


@bp.post("/account/feed-token")
@login_required
def account_feed_token():
    if not ActionForm().validate_on_submit():
        abort(400)
    current_user.feed_token = new_feed_token()
    db.session.commit()
    flash("Your private bookmarks feed has a new address; the old one no longer works.")
    return redirect(url_for("auth.account"), code=303)


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    # Sign-ins can be ended on the server, so a moved cookie is not refused by its address and
    # browser (which a thief can copy, and which change under a reader on the move); "strong"
    # would also keep a valid remember cookie from being tried at all.
    login_manager.session_protection = "basic"
    app.config["REMEMBER_COOKIE_NAME"] = FLASK_LOGIN_REMEMBER_COOKIE
    # After Flask-Login's own after_request (registered above), so this one runs before it.
    app.after_request(renew_remembered_sign_in)
