"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, select, text

from portal import create_app
from portal.extensions import db
from portal.models import Section
from portal.ops.cli import FIRST_REVISION

from ..conftest import _apps, database_url


def empty_app(tmp_path):
    """An app on an empty database (no create_all), as a new deployment starts."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url(tmp_path)})
    _apps.append(app)
    return app


def schema_differences(app):
    with app.app_context(), db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def test_autogenerate_finds_no_difference_between_migrations_and_models(tmp_path):
    app = empty_app(tmp_path)
    with app.app_context():
        upgrade()
    assert schema_differences(app) == []


def test_init_db_upgrades_an_empty_database_and_is_safe_to_run_again(tmp_path):
    app = empty_app(tmp_path)
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["portal", "init-db"])
        assert result.exit_code == 0, result.output
        assert "Database ready." in result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"articles", "bookmarks", "users", "alembic_version"} <= tables
    assert schema_differences(app) == []


def test_init_db_adopts_a_database_made_before_migrations(tmp_path):
    """A database made by create_all() before migrations existed: the first revision's tables,
    with data, and no alembic_version table. init-db stamps it and upgrades it."""
    app = empty_app(tmp_path)
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
            connection.execute(text("INSERT INTO sections (name, slug, description) VALUES ('AI', 'ai', '')"))
    result = app.test_cli_runner().invoke(args=["portal", "init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(Section.name)).all() == ["AI"]
    assert schema_differences(app) == []


def test_upgrading_keeps_every_row_of_every_table(tmp_path):
    """Upgrades that rebuild a table (SQLite's batch mode) must not cascade deletes into the
    tables that refer to it: bylines and bookmarks survive."""
    app = empty_app(tmp_path)
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO sections (id, name, slug, description) VALUES (1, 'AI', 'ai', '');"))
            connection.execute(text(
                "INSERT INTO authors (id, name, slug, email, bio) VALUES (1, 'Ada', 'ada', 'a@example.com', '')"))
            connection.execute(text(
                "INSERT INTO articles (id, title, slug, summary, body, kind, section_id, status, published_at,"
                " updated_at) VALUES (1, 'Chips', 'chips', '', 'Body', 'news', 1, 'published',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            connection.execute(text("INSERT INTO article_authors (article_id, author_id, position) VALUES (1, 1, 0)"))
            connection.execute(text(
                "INSERT INTO users (id, email, password_hash, is_editor, created_at, session_version, feed_token)"
                " VALUES (1, 'r@example.com', 'x', false, CURRENT_TIMESTAMP, 1, 'token-token-token-token')"))
            connection.execute(text(
                "INSERT INTO users (id, email, password_hash, is_editor, created_at, session_version, feed_token)"
                " VALUES (2, 'e@example.com', 'x', true, CURRENT_TIMESTAMP, 1, 'token-token-token-token-2')"))
            connection.execute(text(
                "INSERT INTO bookmarks (id, user_id, article_id, created_at) VALUES (1, 1, 1, CURRENT_TIMESTAMP)"))
        upgrade()
        with db.engine.connect() as connection:
            for table in ("sections", "authors", "articles", "article_authors", "bookmarks"):
                assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1, table
            # An editor stays an editor, as a role; everyone else is a reader.
            roles = connection.execute(text("SELECT email, role FROM users ORDER BY id")).all()
            assert [tuple(row) for row in roles] == [("r@example.com", "reader"), ("e@example.com", "editor")]


def test_migrated_tables_never_hand_out_a_deleted_rows_id(tmp_path):
    """On SQLite only AUTOINCREMENT tables (a rebuild, in a migration) keep ids from coming back."""
    app = empty_app(tmp_path)
    with app.app_context():
        upgrade()
        ids = []
        for email in ("first@example.com", "second@example.com"):
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO users (email, password_hash, role, created_at, session_version, feed_token)"
                    " VALUES (:email, 'x', 'reader', CURRENT_TIMESTAMP, 1, :email)"), {"email": email})
                ids.append(connection.execute(text("SELECT max(id) FROM users")).scalar())
                connection.execute(text("DELETE FROM users"))
        assert ids[1] > ids[0]
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                for table in ("users", "articles", "bookmarks", "user_sessions"):
                    sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
                    assert "AUTOINCREMENT" in sql, table
                triggers = connection.execute(text(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'")).scalar()
            assert triggers == 3  # the search index's triggers survived the rebuild
