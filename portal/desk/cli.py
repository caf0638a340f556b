"""`flask --app wsgi portal publish-due`: publish the scheduled stories whose time has come, and
take down a top story whose 24 hours are over. A timer runs it every minute (docs/deploy.md);
`make run` and `make serve` run it themselves with `--every 60`."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..news import operations
from . import audit


def publish_due_once() -> list[int]:
    """One run in one transaction: what it publishes goes on the audit log in the same commit."""
    published = operations.publish_due()
    for story_id in published:
        audit.record(None, "published", f"story {story_id}", "scheduled")
    operations.end_expired_top_stories()
    db.session.commit()
    return published


@click.command("publish-due")
@click.option("--every", type=click.IntRange(min=1), default=None, metavar="SECONDS",
              help="Keep running, once every SECONDS (until stopped), rather than once.")
@with_appcontext
def publish_due(every):
    """Publish scheduled stories whose Publish at has come, each exactly once (also when two
    machines run this at once), and end a top story's 24 hours."""
    while True:
        try:
            published = publish_due_once()
        except SQLAlchemyError as error:
            db.session.rollback()
            if every is None:
                raise click.ClickException(f"database error ({type(error).__name__}): nothing was published") from None
            # The next run tries again: a database away for a minute delays stories, it loses none.
            current_app.logger.warning("publish-due: database error (%s); trying again in %ss",
                                       type(error).__name__, every)
        else:
            if published or every is None:
                click.echo(f"Published {len(published)} scheduled "
                           f"{'story' if len(published) == 1 else 'stories'}"
                           + (f": {', '.join(map(str, published))}." if published else "."))
        if every is None:
            return
        db.session.remove()
        time.sleep(every)


COMMANDS = (publish_due,)
