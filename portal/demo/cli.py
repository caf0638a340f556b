"""`portal demo`: demo content, loaded once."""

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext

from ..accounts.models import Role, User, user_by_email
from ..accounts.passwords import hash_password
from ..extensions import db
from ..news.queries import has_any_story
from .loader import load_demo

DEMO_EDITOR = "editor@example.com"


@click.command("demo")
@with_appcontext
@click.option("--articles", default=200, show_default=True, type=click.IntRange(min=1),
              help="How many published stories to add.")
@click.option("--drafts", default=0, show_default=True, type=click.IntRange(min=0),
              help="How many unpublished drafts to add as well.")
def demo(articles, drafts):
    """Load demo content once; on a database that has stories, add nothing. In development, also
    a demo editor for the desk, whose password is printed this once."""
    if has_any_story():
        click.echo("The database already has stories; demo content not loaded.")
        return
    with click.progressbar(length=articles + drafts, label="Adding demo stories") as bar:
        added = load_demo(articles=articles, drafts=drafts, progress=bar.update)
    click.echo(f"Added {added} demo stories.")
    if current_app.config["ENV"] != "production" and user_by_email(DEMO_EDITOR) is None:
        password = secrets.token_urlsafe(12)
        # An admin, so that every desk page opens for a newcomer trying it.
        db.session.add(User(email=DEMO_EDITOR, role=Role.admin, password_hash=hash_password(password)))
        db.session.commit()
        click.echo(f"Demo editor for the desk (/desk): {DEMO_EDITOR}, password {password} (shown only now).")


COMMANDS = (demo,)
