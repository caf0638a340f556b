"""Alembic's environment for Flask-Migrate: the app's engine and models' metadata."""

import logging

from alembic import context
from flask import current_app

# The search index (FTS5 table and triggers, GIN index) is made by hand, so it is not in the
# models' metadata: importing this registers the comparator that keeps `flask db migrate` from
# proposing to drop it, whichever features the app imported.
import portal.search.index  # noqa: F401

config = context.config
logger = logging.getLogger("alembic.env")
# Logging is the app's to configure (alembic.ini's logging section would replace it).

migrate_extension = current_app.extensions["migrate"]
engine = migrate_extension.db.engine
target_metadata = migrate_extension.db.metadata
config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline():
    """Emit SQL to standard output instead of running it (`flask db upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty_revisions(context, revision, directives):
        # `flask db migrate` with no model changes writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    configure_args = dict(migrate_extension.configure_args)
    configure_args.setdefault("process_revision_directives", skip_empty_revisions)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys
            # enforced, that drop would cascade-delete the rows that refer to it (bylines,
            # bookmarks). Off for the migration (it must be set outside a transaction), checked after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=target_metadata, **configure_args)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"The migration left rows pointing at missing rows: {broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
