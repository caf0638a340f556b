"""Two-step sign-in's pages: the code asked for after the password, and the account page's
set-up (QR code and the secret as text, then recovery codes, shown once)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from ..extensions import db, limiter
from ..web.forms import Form
from . import two_factor
from .auth import finish_sign_in

bp = Blueprint("two_factor", __name__)
CODE_HINT = "The 6 digits your authenticator app shows now, or one of your recovery codes."


class CodeForm(Form):
    code = StringField("Authentication code", description=CODE_HINT,
                       validators=[InputRequired(), Length(max=20)])


def _held_account() -> str:
    held = two_factor.held_sign_in()
    return f"held:{held[0].id}" if held else "held:none"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TWO_FACTOR_LIMIT"], methods=["POST"], key_func=_held_account,
               scope="two-factor-account")
def sign_in_code():
    held = two_factor.held_sign_in()
    if held is None:
        flash("Sign in again: that sign-in waited too long for its code.")
        return redirect(url_for("auth.login"), code=303)
    user, pending = held
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.check_code(user, form.code.data):
            db.session.commit()
            two_factor.release_sign_in()
            return finish_sign_in(user, pending["next"], pending["save"], remember=pending["remember"],
                                  second_factor=True)
        db.session.rollback()
        form.code.errors = ["That code isn’t right. Type the code your app shows now, or a recovery code."]
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sign_in_code.html", form=form), status


@bp.get("/account/two-factor")
@login_required
def setup():
    return _setup_page()


def _setup_page(form=None, renew_form=None, off_form=None, status=200):
    """The set-up page (`form` confirms the app), or for an account already using two steps, the
    forms that make new recovery codes and turn it off (each needs a code: distinct prefixes)."""
    user = current_user
    if user.uses_two_factor:
        return render_template("accounts/two_factor.html", enrolled=True,
                               codes_left=two_factor.recovery_codes_left(user),
                               renew_form=renew_form or CodeForm(prefix="renew"),
                               off_form=off_form or CodeForm(prefix="off")), status
    form = form or CodeForm()
    secret = two_factor.enrolling_secret()
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("accounts/two_factor.html", form=form, enrolled=False, qr=two_factor.qr_svg(uri),
                           secret=two_factor.grouped(secret)), status


@bp.post("/account/two-factor")
@login_required
def enroll():
    form = CodeForm()
    if current_user.uses_two_factor:
        abort(409, description="Two-step sign-in is already on for this account.")
    if not form.validate_on_submit():
        return _setup_page(form, status=400)
    codes = two_factor.enroll(current_user, form.code.data)
    if codes is None:
        form.code.errors = ["That code isn’t right. Check the time on your phone and type the code it shows now."]
        return _setup_page(form, status=400)
    current_user.current_session.second_factor = True  # this sign-in has just shown the app works
    db.session.commit()
    return _recovery_codes_page(codes)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def new_recovery_codes():
    form = CodeForm(prefix="renew")
    if not current_user.uses_two_factor:
        abort(409, description="Turn on two-step sign-in first.")
    if _code_refused(form, "New recovery codes need"):
        return _setup_page(renew_form=form, status=400)
    codes = two_factor.new_recovery_codes(current_user)
    db.session.commit()
    return _recovery_codes_page(codes)


@bp.post("/account/two-factor/off")
@login_required
def turn_off():
    form = CodeForm(prefix="off")
    if not current_user.uses_two_factor:
        return redirect(url_for("two_factor.setup"), code=303)
    if _code_refused(form, "Turning two-step sign-in off needs"):
        return _setup_page(off_form=form, status=400)
    two_factor.turn_off(current_user)
    db.session.commit()
    flash("Two-step sign-in is off. Your password alone signs you in now.")
    return redirect(url_for("auth.account"), code=303)


def _code_refused(form: CodeForm, what_needs_it: str) -> bool:
    """Whether the form's code is not a right one for this account (its error then says so)."""
    if form.validate_on_submit() and two_factor.check_code(current_user, form.code.data):
        return False
    db.session.rollback()
    form.code.errors = [f"That code isn’t right. {what_needs_it} a code from your app."]
    return True


def _recovery_codes_page(codes: list[str]):
    response = current_app.make_response(render_template("accounts/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"  # shown once: no copy in the browser's cache
    return response
