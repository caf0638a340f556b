"""`portal init-db`: the schema, created or upgraded to the newest migration."""

import click
from flask.cli import with_appcontext

from ..extensions import db

FIRST_REVISION = "f94a3a75215e"


@click.command("init-db")
@with_appcontext
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


COMMANDS = (init_db,)
