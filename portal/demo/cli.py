"""`portal demo`: demo content, loaded once."""

import click
from flask.cli import with_appcontext

from ..news.queries import has_any_story
from .loader import load_demo


@click.command("demo")
@with_appcontext
@click.option("--articles", default=200, show_default=True, type=click.IntRange(min=1),
              help="How many published stories to add.")
@click.option("--drafts", default=0, show_default=True, type=click.IntRange(min=0),
              help="How many unpublished drafts to add as well.")
def demo(articles, drafts):
    """Load demo content once; on a database that has stories, add nothing."""
    if has_any_story():
        click.echo("The database already has stories; demo content not loaded.")
        return
    with click.progressbar(length=articles + drafts, label="Adding demo stories") as bar:
        added = load_demo(articles=articles, drafts=drafts, progress=bar.update)
    click.echo(f"Added {added} demo stories.")


COMMANDS = (demo,)
