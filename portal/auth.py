"""Reader accounts: register, sign in and out, and the account page."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from .extensions import db, limiter, login_manager
from .forms import (
    ActionForm,
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    RegisterForm,
    field_attributes,
)
from .models import (
    User,
    delete_user,
    get_published_article,
    new_feed_token,
    normalise_email,
    parse_id,
    save_bookmark,
    user_by_email,
    user_by_session_id,
)
from .passwords import hash_password, verify_password, verify_password_or_waste_time

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str):
    return user_by_session_id(session_id)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to; anything pointing at another site falls back to the default."""
    if not target:
        return default
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def pending_story_id(form) -> int | None:
    return parse_id((form.save.data or "").strip())


def finish_sign_in(user: User, form, remember: bool = False):
    """Sign in on a fresh session, save the story the reader asked for on the way, and return."""
    session.clear()  # nothing from before sign-in survives (session fixation)
    login_user(user, remember=remember)
    target = safe_next(form.next.data)
    story_id = pending_story_id(form)
    if story_id is not None:
        article = get_published_article(story_id)
        if article is not None:
            save_bookmark(user, article.id)
            flash(f"Saved “{article.title}”.")
            target = f"{target.split('#')[0]}#story-{article.id}"
    return redirect(target, code=303)


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


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session and remember cookie of this account."""
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    db.session.commit()


def _posted_email() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


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
            return finish_sign_in(user, form)
        form.email.errors.append("An account with this email already exists. Sign in instead.")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], deduct_when=_failed,
               key_func=_posted_email, scope="login-account")
def login():
    form = LoginForm(next=request.args.get("next"), save=request.args.get("save"))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data), code=303)
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if verify_password_or_waste_time(user.password_hash if user else None, form.password.data):
            return finish_sign_in(user, form, remember=form.remember.data)
        # Never say which of the two was wrong: that would tell who has an account.
        form.form_errors.append("That email and password don’t match an account. Check both and try again.")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    session.clear()
    logout_user()  # after clearing: it marks the remember cookie for deletion in the session
    flash("You’re signed out.")
    return redirect(url_for("feed.index"), code=303)


@bp.get("/account")
@login_required
def account():
    return render_account()


def render_account(password_form=None, delete_form=None, status=200):
    return render_template(
        "auth/account.html",
        password_form=password_form or ChangePasswordForm(),
        delete_form=delete_form or DeleteAccountForm(),
        token_form=ActionForm(),
    ), status


@bp.post("/account/password")
@login_required
def account_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.current_password.data):
            remembered = session.get("_remember") == "set" or request.cookies.get(
                current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")) is not None
            user = current_user._get_current_object()
            change_password(user, form.new_password.data)
            # This session carries on under the new version; every other one ends.
            login_user(user, remember=remembered)
            flash("Your password is changed. Other devices have been signed out.")
            return redirect(url_for("auth.account"), code=303)
        form.current_password.errors.append("That isn’t your current password.")
    return render_account(password_form=form, status=400)


@bp.post("/account/delete")
@login_required
def account_delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            user = db.session.get(User, current_user.id)
            session.clear()
            logout_user()
            delete_user(user)
            flash("Your account and its bookmarks are deleted.")
            return redirect(url_for("feed.index"), code=303)
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
    app.add_template_global(field_attributes)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = "strong"
