"""Account forms (Flask-WTF: each carries its CSRF token)."""

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from ..web.forms import Form
from .passwords import MAX_LENGTH, password_problem

NEW_PASSWORD_HINT = "At least 8 characters, and not one of the most common passwords."


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


class RegisterForm(PendingSaveMixin, Form):
    email = EmailField("Email", filters=[stripped], validators=[InputRequired(), Length(max=254),
                                            Email(check_deliverability=False)])
    display_name = StringField("Display name (optional)", validators=[Optional(), Length(max=80)])
    password = PasswordField("Password", description=NEW_PASSWORD_HINT,
                             validators=[InputRequired(), acceptable_password])
    confirm = PasswordField("Repeat the password",
                            validators=[InputRequired(), EqualTo("password", "The passwords don’t match.")])


class LoginForm(PendingSaveMixin, Form):
    email = EmailField("Email", filters=[stripped], validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = PasswordField("New password", description=NEW_PASSWORD_HINT,
                                 validators=[InputRequired(), acceptable_password])
    confirm = PasswordField("Repeat the new password",
                            validators=[InputRequired(), EqualTo("new_password", "The passwords don’t match.")])


class DeleteAccountForm(Form):
    password = PasswordField("Your password", validators=[InputRequired()])


class ResetRequestForm(Form):
    email = EmailField("Email", filters=[stripped], validators=[InputRequired(), Length(max=254)])


class ResetPasswordForm(Form):
    password = PasswordField("New password", description=NEW_PASSWORD_HINT,
                             validators=[InputRequired(), acceptable_password])
    confirm = PasswordField("Repeat the new password",
                            validators=[InputRequired(), EqualTo("password", "The passwords don’t match.")])
