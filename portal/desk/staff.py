"""Roles: admins give and take the editor's and admin's roles on /desk/staff. The last admin
cannot be demoted, so the newsroom can never lock itself out of granting roles."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select, update
from wtforms import EmailField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length

from ..accounts.forms import stripped
from ..accounts.models import Role, User, normalise_email, user_by_email
from ..extensions import db
from ..web.forms import Form
from . import audit
from .blueprint import admin_only, bp

ROLE_CHOICES = [SelectChoice(Role.reader.value, "Reader"), SelectChoice(Role.editor.value, "Editor"),
                SelectChoice(Role.admin.value, "Admin")]


class LastAdminError(Exception):
    """Demoting this account would leave the newsroom without an admin."""


class RoleForm(Form):
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])


class GrantForm(RoleForm):
    email = EmailField("Email of the account", filters=[stripped], validators=[InputRequired(), Length(max=254)])


def change_role(user: User, role: Role, by: User) -> bool:
    """Give `user` the role, on the record. Flushes; the caller commits. False when it is the role
    they have; LastAdminError when they are the last admin and the role is not admin's."""
    if user.role is role:
        return False
    previous = user.role
    if previous is Role.admin:
        # Admins' rows stay locked until the commit (PostgreSQL), and the update itself counts
        # the admins left, so two admins demoting each other at once leave one.
        db.session.execute(select(User.id).where(User.role == Role.admin).with_for_update())
        others = select(func.count()).select_from(User).where(User.role == Role.admin, User.id != user.id)
        changed = db.session.execute(
            update(User).where(User.id == user.id, others.scalar_subquery() > 0).values(role=role)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            raise LastAdminError()
        db.session.expire(user, ["role"])
    else:
        user.role = role
        db.session.flush()
    audit.record(by, "role changed", f"user {user.id} {user.email}", f"{previous.value} → {role.value}")
    return True


def staff_members() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role != Role.reader).order_by(User.role, User.email)))


def _staff_page(grant_form: GrantForm, status: int = 200):
    return render_template("desk/staff.html", staff=staff_members(), grant_form=grant_form,
                           role_form=RoleForm, choices=ROLE_CHOICES), status


@bp.get("/staff")
@admin_only
def staff():
    return _staff_page(GrantForm(role=Role.editor.value))


@bp.post("/staff")
@admin_only
def grant_role():
    form = GrantForm()
    if not form.validate_on_submit():
        return _staff_page(form, 400)
    user = user_by_email(normalise_email(form.email.data))
    if user is None:
        form.email.errors = ["No account has that email. They can register first, then you can give them a role."]
        return _staff_page(form, 400)
    return _apply(user, Role(form.role.data))


@bp.post("/staff/<int:user_id>")
@admin_only
def set_role(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        form = GrantForm(email=user.email)
        form.role.errors = ["Choose reader, editor or admin."]
        return _staff_page(form, 400)
    return _apply(user, Role(form.role.data))


def _apply(user: User, role: Role):
    try:
        changed = change_role(user, role, by=current_user)
    except LastAdminError:
        db.session.rollback()
        form = GrantForm(email=user.email, role=Role.admin.value)
        form.form_errors.append(f"{user.email} is the last admin. Make someone else an admin first.")
        return _staff_page(form, 409)
    db.session.commit()
    flash(f"{user.email} is now {'an admin' if role is Role.admin else 'an editor' if role is Role.editor else 'a reader'}."
          if changed else f"{user.email} already had that role.")
    return redirect(url_for("desk.staff"), code=303)
