"""`flask --app wsgi portal ...`: database set-up, demo content and accounts."""

import sys

import click
from flask.cli import AppGroup

from . import backup, feeds_in
from .extensions import db
from .models import has_any_story

portal_cli = AppGroup("portal", help="Run the portal's maintenance commands.")
FIRST_REVISION = "f94a3a75215e"


@portal_cli.command("init-db")
def init_db():
    """Create or upgrade the database schema to the newest migration (safe to run again)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import stamp, upgrade
    from sqlalchemy import inspect

    tables = set(inspect(db.engine).get_table_names())
    if "articles" in tables and "alembic_version" not in tables:
        # Made by create_all(), without migrations: already the newest schema, or else the
        # first revision's (databases from before migrations existed).
        with db.engine.connect() as connection:
            current = not compare_metadata(MigrationContext.configure(connection), db.metadata)
        stamp(revision="head" if current else FIRST_REVISION)
    upgrade()
    click.echo("Database ready.")


@portal_cli.command("demo")
@click.option("--articles", default=200, show_default=True, type=click.IntRange(min=1),
              help="How many published stories to add.")
@click.option("--drafts", default=0, show_default=True, type=click.IntRange(min=0),
              help="How many unpublished drafts to add as well.")
def demo(articles, drafts):
    """Load demo content once; on a database that has stories, add nothing."""
    from .demo import load_demo

    if has_any_story():
        click.echo("The database already has stories; demo content not loaded.")
        return
    with click.progressbar(length=articles + drafts, label="Adding demo stories") as bar:
        added = load_demo(articles=articles, drafts=drafts, progress=bar.update)
    click.echo(f"Added {added} demo stories.")


@portal_cli.command("create-user")
@click.argument("email")
@click.option("--editor", is_flag=True, help="Mark the account as an editor's.")
def create_user(email, editor):
    """Create a reader (or editor) account.

    The password is asked for at a prompt, or read as one line from standard input when piped
    (never from the command line, where other users could see it).
    """
    from email_validator import EmailNotValidError, validate_email

    from .models import User, normalise_email, user_by_email
    from .passwords import hash_password, password_problem

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
    db.session.add(User(email=email, is_editor=editor, password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"Created {'editor' if editor else 'reader'} account {email}.")


@portal_cli.command("forget-expired-sign-ins")
def forget_expired_sign_ins():
    """Delete sign-ins that have expired (each reader's go when they next sign in; this clears
    those of readers who never come back). Run it daily, like poll-feeds."""
    from .sessions import forget_expired_sessions

    count = forget_expired_sessions()
    db.session.commit()
    click.echo(f"Forgot {count} expired sign-in{'' if count == 1 else 's'}.")


def init_app(app):
    backup.register(portal_cli)
    feeds_in.register(portal_cli)
    app.cli.add_command(portal_cli)
