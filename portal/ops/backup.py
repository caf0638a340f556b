"""`flask --app wsgi portal backup PATH`: a consistent copy of the SQLite database, taken while the
site keeps serving. PostgreSQL is backed up with its own tools (pg_dump); the command says how."""

import os
import shlex
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup(path: Path, force: bool):
    """Copy the SQLite database to PATH, safely while the site is running.

    The copy is one consistent snapshot (SQLite's online backup API), written to a temporary file
    beside PATH and renamed into place, so PATH is never a half-written file.
    """
    url = db.engine.url  # building the engine opens no connection
    backend = url.get_backend_name()
    if backend == "postgresql":
        raise click.ClickException(
            f"The database is PostgreSQL: back it up with pg_dump, e.g. {pg_dump_command(url, path)}"
        )
    if backend != "sqlite":
        raise click.ClickException(f"Backups of {backend} databases are not supported.")
    source = url.database
    if not source or source == ":memory:":
        raise click.ClickException("The database is in memory: there is no file to back up.")
    source = Path(source).resolve()
    if not source.is_file():
        raise click.ClickException(f"No database at {source}.")
    path = path.resolve()
    if path == source:
        raise click.ClickException("PATH is the live database itself; choose another file.")
    if not path.parent.is_dir():
        raise click.ClickException(f"No directory {path.parent}.")
    if path.exists() and not force:
        raise click.ClickException(f"{path} already exists; use --force to replace it.")

    size = copy_sqlite(source, path, replace=force)
    click.echo(f"Backed up {source} to {path} ({size:,} bytes).")


def copy_sqlite(source: Path, path: Path, replace: bool) -> int:
    """Snapshot `source` into a temporary file next to `path`, then move it into place."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)  # SQLite opens it by name; mkstemp made it private (0600), as a backup should be
    try:
        # mode=rw: a missing file is an error, never a new empty database.
        with closing(sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, timeout=30)) as live, \
                closing(sqlite3.connect(temporary)) as copy:
            # All pages in one step: one read transaction, so one snapshot. In WAL mode it blocks
            # no writer, and it includes what is still in the -wal file.
            live.backup(copy)
            # A plain single file that opens anywhere; the app turns WAL back on when it opens it.
            copy.execute("PRAGMA journal_mode=DELETE")
        with open(temporary, "rb") as f:
            os.fsync(f.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            move_without_replacing(temporary, path)
        _fsync_directory(path.parent)
        return path.stat().st_size
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def move_without_replacing(temporary: str, path: Path) -> None:
    """Rename, failing if `path` appeared meanwhile (a hard link is created only where none exists)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise click.ClickException(f"{path} already exists; use --force to replace it.") from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise click.ClickException(f"{path} already exists; use --force to replace it.") from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pg_dump_command(url, path: Path) -> str:
    """The pg_dump command for this database: host, port, user and name, never the password."""
    words = ["pg_dump", "-Fc"]
    if url.host:
        words += ["-h", url.host]
    if url.port:
        words += ["-p", str(url.port)]
    if url.username:
        words += ["-U", url.username]
    words += ["-f", str(path), url.database or ""]
    return " ".join(shlex.quote(word) for word in words)
