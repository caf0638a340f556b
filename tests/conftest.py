"""Shared fixtures: a fresh database per test, a client, a CLI runner and a story factory."""

import os
import uuid
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, event, make_url, select, text

from portal import create_app
from portal.extensions import db, limiter
from portal.models import Article, Author, Kind, Section, Status, slugify, utcnow
from portal.news import operations
from portal.news.version import ContentVersion

# PORTAL_TEST_DATABASE_URL runs the suite against PostgreSQL, e.g.
# postgresql+psycopg://postgres@127.0.0.1:5432/test: every app a test makes gets a schema of its
# own, so tests (and live servers beside them) never see each other's rows.
TEST_DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
_schemas: list[str] = []


def private_schema_url(server_url: str) -> str:
    """A URL on `server_url` whose connections use a new, empty schema."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    engine = create_engine(server_url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    _schemas.append(schema)
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def database_url(tmp_path) -> str:
    """A new, empty database: a schema of its own on PostgreSQL, a file on SQLite."""
    if TEST_DATABASE_URL:
        return private_schema_url(TEST_DATABASE_URL)
    return f"sqlite:///{tmp_path / 'test.db'}"


# PostgreSQL schemas whose tables make_app created, free for the next test's app: emptied by one
# TRUNCATE, which costs a fraction of creating every table, index and trigger again.
_free_schemas: list[str] = []
_schemas_in_use: list[str] = []


def _pooled_schema_app_url() -> tuple[str, bool]:
    """A schema URL for make_app, and whether its tables exist already (emptied, to be reused)."""
    if _free_schemas:
        url = _free_schemas.pop()
        _schemas_in_use.append(url)
        return url, True
    url = private_schema_url(TEST_DATABASE_URL)
    _schemas_in_use.append(url)
    return url, False


def _empty_tables(app) -> bool:
    """Empty every table of a reused schema as create_all leaves them; False if that can't be
    done at once (a lock still held), and the app then gets a fresh schema."""
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    try:
        with db.engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '2s'"))
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            # The one row create_all inserts (the content version's); the search index's DDL stays.
            for listener in ContentVersion.__table__.dispatch.after_create:
                listener(ContentVersion.__table__, connection)
    except Exception:  # noqa: BLE001 (any failure: fall back to a new schema)
        return False
    return True


@pytest.fixture(scope="session", autouse=True)
def drop_test_schemas():
    yield
    if TEST_DATABASE_URL and _schemas:
        engine = create_engine(TEST_DATABASE_URL)
        for schema in _schemas:  # one transaction each: a single one runs out of lock slots
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def make_app(tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "HTMX_CDN": False,
        # scrypt costs ~160 ms a hash: tests use a cheap method
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Lead images stored by the desk go to the test's folder, never the checkout's instance/.
        "MEDIA_FOLDER": str(tmp_path / "media"),
    }
    config.update(overrides)
    # flask-limiter keeps "the storage is down" on the Limiter, which every test app shares: each
    # app starts as a new process would, with its storage presumed up (else counts made before
    # it notices the storage is back are split between it and the in-memory fallback).
    limiter._storage_dead = False
    reused = False
    if "SQLALCHEMY_DATABASE_URI" not in config:
        if TEST_DATABASE_URL:
            config["SQLALCHEMY_DATABASE_URI"], reused = _pooled_schema_app_url()
        else:
            config["SQLALCHEMY_DATABASE_URI"] = database_url(tmp_path)
    app = create_app(config)
    with app.app_context():
        if reused and not _empty_tables(app):
            # Not emptied at once (a lock still held): leave that schema, make this app a new one.
            _schemas_in_use.remove(config["SQLALCHEMY_DATABASE_URI"])
            db.engine.dispose()
            return make_app(tmp_path, **{**overrides, "SQLALCHEMY_DATABASE_URI": private_schema_url(TEST_DATABASE_URL)})
        if not reused:
            db.drop_all()
            db.create_all()
    _apps.append(app)
    return app


_apps = []


@pytest.fixture(autouse=True)
def close_connections():
    """Every app a test made closes its pooled connections when the test ends, after the mail
    it queued has gone (a job left over would run against the next test's limiter and storage)."""
    yield
    from portal.web import mail

    mail.wait_idle(timeout=15)
    while _apps:
        made = _apps.pop()
        with made.app_context():
            db.session.remove()
            db.engine.dispose()
    _free_schemas.extend(_schemas_in_use)
    _schemas_in_use.clear()


@pytest.fixture
def redis_url():
    """PORTAL_TEST_REDIS_URL: the tests of limits and caches shared through Redis skip without
    it, except on CI, which must run them."""
    url = os.environ.get("PORTAL_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs this test against Redis: set PORTAL_TEST_REDIS_URL")
        pytest.skip("PORTAL_TEST_REDIS_URL is not set")
    return url


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class StoryFactory:
    """Creates sections, authors and stories, each committed, returning plain values."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def section(self, name="Business & Tech", description=""):
        with self.app.app_context():
            section = Section(name=name, slug=slugify(name), description=description)
            db.session.add(section)
            db.session.commit()
            return SimpleNamespace(id=section.id, name=name, slug=section.slug)

    def author(self, name="Ada Lee", email=None, bio=""):
        with self.app.app_context():
            slug = slugify(name)
            author = Author(name=name, slug=slug, email=email or f"{slug}@example.com", bio=bio)
            db.session.add(author)
            db.session.commit()
            return SimpleNamespace(id=author.id, name=name, slug=slug, email=author.email)

    def story(self, title=None, *, section=None, authors=None, published_at=None, minutes_ago=None,
              status=Status.published, kind=Kind.news, summary="A short summary.",
              body="First paragraph.\n\nSecond paragraph.", source_name=None, source_url=None, publish_at=None):
        self.count += 1
        title = title or f"Story number {self.count}"
        section = section or self._default_section()
        authors = authors or [self._default_author()]
        if published_at is None and status is Status.published:
            published_at = utcnow() - timedelta(minutes=minutes_ago if minutes_ago is not None else 1)
        with self.app.app_context():
            article = Article(
                title=title, slug=slugify(title), summary=summary, body=body, kind=kind,
                source_name=source_name, source_url=source_url, section_id=section.id,
                published_at=published_at,
            )
            article.set_authors([db.session.get(Author, a.id) for a in authors])
            # The same path as every other publisher's (portal.news.operations).
            if status is Status.published:
                operations.publish(article)
            elif status is Status.scheduled:
                operations.schedule(article, publish_at or utcnow() + timedelta(hours=1))
            else:
                operations.save_draft(article)
            db.session.commit()
            return SimpleNamespace(id=article.id, slug=article.slug, title=title,
                                   published_at=article.published_at, section=section)

    def stories(self, n, *, start_minutes_ago=1, gap_minutes=10, **kwargs):
        """n published stories, newest first in the returned list."""
        made = [self.story(minutes_ago=start_minutes_ago + i * gap_minutes, **kwargs) for i in range(n)]
        return made

    def user(self, email="reader@example.com", display_name=None, role="reader"):
        """A reader (or an editor, an admin: `role`) with PASSWORD (hashed cheaply for tests)."""
        from werkzeug.security import generate_password_hash

        from portal.models import Role, User

        with self.app.app_context():
            user = User(email=email, display_name=display_name, role=Role(role),
                        password_hash=generate_password_hash(PASSWORD, method=self.app.config["PASSWORD_HASH_METHOD"]))
            db.session.add(user)
            db.session.commit()
            return SimpleNamespace(id=user.id, email=email)

    def set_status(self, article_id, status):
        with self.app.app_context():
            article = db.session.get(Article, article_id)
            if status is Status.published:
                operations.publish(article)
            else:
                operations.unpublish(article)
            db.session.commit()

    def update(self, article_id, **fields):
        """Change a story's fields, as an editor would."""
        with self.app.app_context():
            article = db.session.get(Article, article_id)
            for name, value in fields.items():
                setattr(article, name, value)
            operations.update(article)
            db.session.commit()

    def _default_section(self):
        if not hasattr(self, "_section"):
            self._section = self.section("Business & Tech")
        return self._section

    def _default_author(self):
        if not hasattr(self, "_author"):
            self._author = self.author("Desk Reporter")
        return self._author


@pytest.fixture
def factory(app):
    return StoryFactory(app)


@pytest.fixture
def factory_for():
    """A factory for an app the test made itself."""
    return StoryFactory


@pytest.fixture
def signals_sent(app):
    """Every story signal sent while the test runs, in order: its name, the ids it named, and
    which of them a connection of its own could read at that moment (so, whether they were
    committed)."""
    from portal.signals import story_published, story_unpublished, story_updated

    sent = []

    def receiver_for(signal):
        def receiver(_sender, story_ids):
            with db.engine.connect() as connection:
                visible = set(connection.scalars(select(Article.id).where(Article.id.in_(story_ids))))
            sent.append((signal.name, list(story_ids), visible))
        return receiver

    with ExitStack() as stack:
        for signal in (story_published, story_updated, story_unpublished):
            stack.enter_context(signal.connected_to(receiver_for(signal)))
        yield sent


@pytest.fixture
def count_statements(app):
    """Counts the SQL statements run inside the `with` block."""

    class Counter:
        def __init__(self):
            self.statements = []

        def _record(self, conn, cursor, statement, parameters, context, executemany):
            self.statements.append(statement)

        def __enter__(self):
            self.statements.clear()
            with app.app_context():
                self.engine = db.engine
            event.listen(self.engine, "before_cursor_execute", self._record)
            return self

        def __exit__(self, *exc):
            event.remove(self.engine, "before_cursor_execute", self._record)

        @property
        def count(self):
            return len(self.statements)

    return Counter()


# ---- readers ------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


def csrf_token_from(response) -> str:
    from .helpers import soup

    field = soup(response).select_one('input[name="csrf_token"]')
    assert field is not None, "the page has a form with a CSRF token"
    return field["value"]


def log_in(client, email, password=PASSWORD, remember=False, **extra):
    """Sign in through the real form, CSRF token and all."""
    token = csrf_token_from(client.get("/login"))
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


@pytest.fixture
def make_user(factory):
    """Creates a reader with PASSWORD and returns their id and email."""
    return factory.user


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def reader(client, user):
    """A client signed in as `user` through the login form."""
    response = log_in(client, user.email)
    assert response.status_code == 303
    return client


# ---- an S3 API on a loopback port (moto), for media kept in a bucket --------------

@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer  # imported by the tests that need it: it is large

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._server.server_port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, tmp_path):
    """A new bucket's name; boto3's chain finds moto's dummy credentials in the environment (and
    no developer's ~/.aws)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"lead-images-{uuid.uuid4().hex[:12]}"
    with s3_client(s3_endpoint) as client:
        client.create_bucket(Bucket=name)
    return name


@contextmanager
def s3_client(endpoint):
    """A client of its own, closed after use (no socket left open for the garbage collector)."""
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint)
    try:
        yield client
    finally:
        client.close()
