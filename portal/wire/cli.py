"""`flask --app wsgi portal import-feed SOURCE` and `... portal poll-feeds` (PORTAL_FEED_SOURCES).

A SOURCE is an http(s) URL or a file path holding RSS 2.0, Atom or JSON Feed.
"""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .errors import FeedError
from .importer import import_source


def configured_sources(value) -> list[tuple[str | None, str | None]]:
    """PORTAL_FEED_SOURCES as (name, source) pairs; a source of None marks an unusable item.

    The setting is a JSON list whose items are {"name": ..., "url": ...} or plain URLs or paths;
    a plain string is read as URLs separated by spaces.
    """
    if not value:
        return []
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        return [(None, None)]
    sources = []
    for item in value:
        if isinstance(item, str) and item.strip():
            sources.append((None, item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"].strip():
            name = item.get("name")
            name = (name.strip() or None) if isinstance(name, str) else None
            sources.append((name, item["url"].strip()))
        else:
            sources.append((None, None))
    return sources


@click.command("import-feed")
@click.argument("source")
@click.option("--name", help="The outlet's name to credit (default: the feed's own title).")
@with_appcontext
def import_feed(source: str, name: str | None):
    """Import an RSS 2.0, Atom or JSON Feed (a URL or a file) as roundups.

    Entries already imported (same GUID or link) are skipped, so running it again adds nothing.
    Exits non-zero only when the source itself cannot be read or parsed.
    """
    try:
        result = import_source(source, name)
    except FeedError as error:
        raise click.ClickException(f"{source}: {error}") from None
    click.echo(result.summary())


@click.command("poll-feeds")
@with_appcontext
def poll_feeds():
    """Import every source in PORTAL_FEED_SOURCES (for a cron job or a timer).

    One line per source: its summary, or why it was skipped. A source that fails never stops the
    others. Exits non-zero only when every configured source failed.
    """
    sources = configured_sources(current_app.config["FEED_SOURCES"])
    if not sources:
        click.echo("No feed sources configured (PORTAL_FEED_SOURCES).")
        return
    failed = 0
    for number, (name, source) in enumerate(sources, start=1):
        label = f'"{name}" ({source})' if name else source
        if source is None:
            failed += 1
            click.echo(f"Source {number} skipped: not a URL, a path or an object with a \"url\".", err=True)
            continue
        try:
            result = import_source(source, name)
        except FeedError as error:
            failed += 1
            click.echo(f"{label} skipped: {error}", err=True)
        except SQLAlchemyError as error:
            db.session.rollback()
            failed += 1
            click.echo(f"{label} skipped: database error ({type(error).__name__})", err=True)
        except Exception as error:  # a feed that trips a bug must not stop the other sources
            db.session.rollback()
            failed += 1
            current_app.logger.exception("poll-feeds: importing %s failed", source)
            click.echo(f"{label} skipped: unexpected {type(error).__name__}", err=True)
        else:
            click.echo(result.summary())
    click.echo(f"Polled {len(sources)} source{'s' if len(sources) != 1 else ''}: "
               f"{len(sources) - failed} read, {failed} failed.")
    if failed == len(sources):
        click.get_current_context().exit(1)


COMMANDS = (import_feed, poll_feeds)
