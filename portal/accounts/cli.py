"""`portal create-user` and `portal forget-expired-sign-ins`."""

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from ..extensions import db
from .models import Role, User, normalise_email, user_by_email
from .passwords import hash_password, password_problem
from .sessions import forget_expired_sessions


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--editor", is_flag=True, help="Make the account an editor's: it may use the desk.")
@click.option("--admin", is_flag=True, help="Make the account an admin's: an editor who also grants roles.")
def create_user(email, editor, admin):
    """Create a reader's account (or an editor's, or an admin's).

    The password is asked for at a prompt, or read as one line from standard input when piped
    (never from the command line, where other users could see it).
    """
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    if user_by_email(email) is not None:
        raise click.ClickException(f"An account for {email} already exists.")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    role = Role.admin if admin else Role.editor if editor else Role.reader
    db.session.add(User(email=email, role=role, password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"Created {role.value} account {email}.")


@click.command("forget-expired-sign-ins")
@with_appcontext
def forget_expired_sign_ins():
    """Delete sign-ins that have expired (each reader's go when they next sign in; this clears
    those of readers who never come back). Run it daily, like poll-feeds."""
    count = forget_expired_sessions()
    db.session.commit()
    click.echo(f"Forgot {count} expired sign-in{'' if count == 1 else 's'}.")


COMMANDS = (create_user, forget_expired_sign_ins,)
