"""`flask --app wsgi portal ...`: database set-up and demo content."""

import click
from flask.cli import AppGroup

from .extensions import db
from .models import has_any_story

portal_cli = AppGroup("portal", help="Run the portal's maintenance commands.")


@portal_cli.command("init-db")
def init_db():
    """Create the database schema (safe to run again)."""
    db.create_all()
    click.echo("Database ready.")


@portal_cli.command("demo")
@click.option("--articles", default=200, show_default=True, type=click.IntRange(min=1),
              help="How many published stories to add.")
@click.option("--drafts", default=0, show_default=True, type=click.IntRange(min=0),
              help="How many unpublished drafts to add as well.")
def demo(articles, drafts):
    """Load demo content once; on a database that has stories, add nothing."""
    from .demo import load_demo

    db.create_all()
    if has_any_story():
        click.echo("The database already has stories; demo content not loaded.")
        return
    with click.progressbar(length=articles + drafts, label="Adding demo stories") as bar:
        added = load_demo(articles=articles, drafts=drafts, progress=bar.update)
    click.echo(f"Added {added} demo stories.")


def init_app(app):
    app.cli.add_command(portal_cli)
