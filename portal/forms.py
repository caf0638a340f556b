"""Account forms (Flask-WTF: each carries its CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from .passwords import MAX_LENGTH, password_problem

NEW_PASSWORD_HINT = "At least 8 characters, and not one of the most common passwords."


def field_attributes(field, extra: dict | None = None) -> dict:
    """Input attributes for a field: those asked for, plus links to its hint and error messages."""
    attributes = dict(extra or {})
    described_by = []
    if field.description:
        described_by.append(f"{field.id}-hint")
    if field.errors:
        attributes["aria-invalid"] = "true"
        described_by.append(f"{field.id}-errors")
    if described_by:
        attributes["aria-describedby"] = " ".join(described_by)
    return attributes


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def acceptable_password(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class PendingSaveMixin:
    # Where to return after signing in, and a story the reader asked to save while signed out.
    next = HiddenField()
    save = HiddenField()


class RegisterForm(PendingSaveMixin, FlaskForm):
    email = EmailField("Email", filters=[stripped], validators=[InputRequired(), Length(max=254),
                                            Email(check_deliverability=False)])
    display_name = StringField("Display name (optional)", validators=[Optional(), Length(max=80)])
    password = PasswordField("Password", description=NEW_PASSWORD_HINT,
                             validators=[InputRequired(), acceptable_password])
    confirm = PasswordField("Repeat the password",
                            validators=[InputRequired(), EqualTo("password", "The passwords don’t match.")])


class LoginForm(PendingSaveMixin, FlaskForm):
    email = EmailField("Email", filters=[stripped], validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = PasswordField("New password", description=NEW_PASSWORD_HINT,
                                 validators=[InputRequired(), acceptable_password])
    confirm = PasswordField("Repeat the new password",
                            validators=[InputRequired(), EqualTo("new_password", "The passwords don’t match.")])


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[InputRequired()])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", filters=[stripped], validators=[InputRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", description=NEW_PASSWORD_HINT,
                             validators=[InputRequired(), acceptable_password])
    confirm = PasswordField("Repeat the new password",
                            validators=[InputRequired(), EqualTo("password", "The passwords don’t match.")])


class ActionForm(FlaskForm):
    """A form that is only a button: the CSRF token is all it carries."""
