"""`portal backup PATH`: an online SQLite copy that restores, even when taken mid-write; PostgreSQL
operators are pointed at pg_dump. These tests always use SQLite (the PostgreSQL pass included)."""

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
from sqlalchemy import event, func, select

from portal import create_app
from portal.extensions import db
from portal.models import Article, ArticleAuthor, Author
from portal.news import operations

from .. import conftest
from ..conftest import log_in, make_app


@pytest.fixture
def app(tmp_path):
    """The live site on SQLite, whatever PORTAL_TEST_DATABASE_URL says."""
    return make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.db'}")


def restored_app(path):
    """A new site on the backup file as it is: no drop_all/create_all."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "HTMX_CDN": False})
    conftest._apps.append(app)
    return app


def count_rows(path, table):
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def integrity(path):
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchall()


def test_backup_restores_into_a_working_site(app, runner, factory, make_user, tmp_path):
    stories = factory.stories(5)
    make_user("kept@example.com")
    live = tmp_path / "live.db"
    # The rows are still in the -wal file: a plain file copy would miss them.
    assert (tmp_path / "live.db-wal").stat().st_size > 0

    path = tmp_path / "backups" / "portal.db"
    path.parent.mkdir()
    result = runner.invoke(args=["portal", "backup", str(path)])

    assert result.exit_code == 0, result.output
    size = path.stat().st_size
    assert str(path) in result.output and f"{size:,} bytes" in result.output
    assert sorted(p.name for p in path.parent.iterdir()) == ["portal.db"]  # no temporary left behind
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert integrity(path) == [("ok",)]
    assert count_rows(path, "articles") == count_rows(live, "articles") == 5

    restored = restored_app(path)
    client = restored.test_client()
    front = client.get("/")
    assert front.status_code == 200
    page = front.get_data(as_text=True)
    assert all(story.title in page for story in stories)
    article = client.get(f"/articles/{stories[0].id}/{stories[0].slug}")
    assert article.status_code == 200 and stories[0].title in article.get_data(as_text=True)
    assert log_in(client, "kept@example.com").status_code == 303  # accounts came along too


def test_backup_while_another_thread_keeps_writing_is_one_consistent_snapshot(app, runner, factory, tmp_path):
    section, author = factory.section("Wire"), factory.author("Night Desk")
    committed = 0
    started, backed_up = threading.Event(), threading.Event()

    def keep_writing():
        nonlocal committed
        with app.app_context():
            # A second of inserts, and a few more after the backup, so writes land on both sides.
            deadline = time.monotonic() + 1.0
            after_backup = 0
            while time.monotonic() < deadline or after_backup < 5:
                number = committed + 1
                article = Article(title=f"Wire story {number}", slug=f"wire-story-{number}",
                                  summary="", body="Paragraph. " * 400, section_id=section.id)
                article.set_authors([db.session.get(Author, author.id)])  # in the same transaction
                operations.publish(article)
                db.session.commit()
                committed = number
                if committed >= 20:
                    started.set()
                if backed_up.is_set():
                    after_backup += 1

    path = tmp_path / "mid-write.db"
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing = pool.submit(keep_writing)
        try:
            while not started.wait(0.05):
                if writing.done():
                    writing.result()  # the writer's error, raised here
                    pytest.fail("the writer stopped before the backup")
            before = committed
            result = runner.invoke(args=["portal", "backup", str(path)])
        finally:
            backed_up.set()
        writing.result(timeout=60)
    assert result.exit_code == 0, result.output

    assert integrity(path) == [("ok",)]
    in_backup = count_rows(path, "articles")
    assert before <= in_backup < committed == count_rows(tmp_path / "live.db", "articles")
    # Every story in the copy has its byline: no transaction is half in it.
    assert count_rows(path, "article_authors") == in_backup
    with restored_app(path).app_context():
        assert db.session.scalar(select(func.count()).select_from(Article)) == in_backup
        assert db.session.scalar(select(func.count()).select_from(ArticleAuthor)) == in_backup


def test_backup_refuses_to_overwrite_without_force(app, runner, factory, tmp_path):
    factory.story()
    path = tmp_path / "backup.db"
    path.write_text("an older backup")

    refused = runner.invoke(args=["portal", "backup", str(path)])
    assert refused.exit_code != 0
    assert "already exists" in refused.output and "--force" in refused.output
    assert path.read_text() == "an older backup"

    replaced = runner.invoke(args=["portal", "backup", "--force", str(path)])
    assert replaced.exit_code == 0, replaced.output
    assert integrity(path) == [("ok",)] and count_rows(path, "articles") == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # nothing left behind


def test_backup_never_writes_onto_the_live_database(app, runner, factory, tmp_path):
    factory.story()
    result = runner.invoke(args=["portal", "backup", "--force", str(tmp_path / "live.db")])
    assert result.exit_code != 0 and "live database" in result.output
    assert count_rows(tmp_path / "live.db", "articles") == 1


def test_backup_into_a_missing_directory_is_a_one_line_error(app, runner, tmp_path):
    result = runner.invoke(args=["portal", "backup", str(tmp_path / "nowhere" / "b.db")])
    assert result.exit_code != 0
    assert result.output.strip().count("\n") == 0 and "No directory" in result.output


def test_postgresql_is_pointed_at_pg_dump_without_connecting_or_showing_the_password(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://user:secret@127.0.0.1:1/x"})
    conftest._apps.append(app)
    with app.app_context():
        engine = db.engine
    attempts = []
    event.listen(engine, "do_connect", lambda *args: attempts.append(args))

    path = tmp_path / "backup.dump"
    result = app.test_cli_runner().invoke(args=["portal", "backup", str(path)])

    assert result.exit_code != 0
    assert attempts == []
    assert not path.exists()
    message = result.output.strip()
    assert "\n" not in message
    assert "pg_dump -Fc -h 127.0.0.1 -p 1 -U user" in message and message.endswith(" x")
    assert "secret" not in message
