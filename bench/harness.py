"""What serve_load.py and lighthouse.py share: the cached demo databases, a signed-in reader,
gunicorn servers as production runs them, and their marked sections of docs/benchmarks.md."""

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # this checkout's portal, whichever one the venv installed

CACHE = PROJECT / "instance" / "bench"
BENCHMARKS_DOC = PROJECT / "docs" / "benchmarks.md"
VENV_BIN = Path(sys.executable).parent

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

READER_EMAIL = "reader@bench.example"
READER_PASSWORD = "bench reader's passphrase"
SECRET_KEY = "bench-secret-key"


def demo_database(articles: int) -> Path:
    """instance/bench/demo-<articles>.db with that many demo stories and the bench reader, built
    with the project's own commands on first use and reused after (a million take ~3 minutes)."""
    path = CACHE / f"demo-{articles}.db"
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi", "portal"]
    if path.exists():
        # A database built by an older checkout gets this one's migrations.
        subprocess.run([*flask, "init-db"], cwd=PROJECT, env=_builder_env(path), check=True, stdout=subprocess.DEVNULL)
        add_reading_history(path)  # a database built before the reader had one
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    for stale in CACHE.glob(building.name + "*"):
        stale.unlink()
    env = _builder_env(building)
    print(f"building {path.relative_to(PROJECT)}: {articles:,} demo stories", flush=True)
    started = time.monotonic()
    subprocess.run([*flask, "init-db"], cwd=PROJECT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*flask, "demo", "--articles", str(articles)], cwd=PROJECT, env=env, check=True)
    add_reader(building)
    add_reading_history(building)
    # Fold the write-ahead log into the file, so the renamed file is the whole database.
    with sqlite3.connect(building) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    leftovers = [p.name for p in CACHE.glob(building.name + "-*")]
    if leftovers:
        raise SystemExit(f"{', '.join(leftovers)} left beside {building.name}: not renaming it")
    building.rename(path)  # only a finished build is ever reused
    print(f"built in {time.monotonic() - started:.0f} s", flush=True)
    return path


def _builder_env(database: Path) -> dict:
    env = {**os.environ, "PORTAL_SECRET_KEY": SECRET_KEY, "PORTAL_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    env.pop("PORTAL_ENV", None)
    return env


def add_reader(database: Path) -> None:
    """The reader whose front page is measured signed in, with bookmarks among the stories it shows."""
    from sqlalchemy import select

    from portal import create_app
    from portal.accounts.models import Role, User
    from portal.accounts.passwords import hash_password
    from portal.bookmarks.operations import save_bookmark
    from portal.extensions import db

    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        user = User(email=READER_EMAIL, password_hash=hash_password(READER_PASSWORD))
        db.session.add(user)
        db.session.flush()
        order = feed_order(limit=1000)
        # Every other story of the front page's first two batches, and some older ones: 40.
        for article_id in order[:60:2] + order[100:1000:90]:
            save_bookmark(user, article_id)
        db.session.commit()
        # The bench reader, beside the demo editor `portal demo` makes in development.
        assert db.session.scalars(select(User.email).where(User.role == Role.reader)).all() == [READER_EMAIL]
        db.session.remove()
        db.engine.dispose()


def add_reading_history(database: Path) -> None:
    """The bench reader's reading history, at its cap: 2,000 stories read (10 of them among the
    front page's 30) and a last visit to the front page, 5 stories down. Once per database."""
    from sqlalchemy import select

    from portal import create_app
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.reading.models import HISTORY_KEPT, StoryRead
    from portal.reading.operations import record_reads, record_visits

    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == READER_EMAIL))
        if db.session.scalar(select(StoryRead.article_id).where(StoryRead.user_id == user.id).limit(1)) is None:
            order = feed_order(limit=1000 + HISTORY_KEPT)
            read = order[1:30:3] + order[1000:1000 + HISTORY_KEPT - 10]
            for start in range(0, len(read), 500):
                record_reads(user, read[start:start + 500])
            record_visits(user, {"front": order[5]})
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def feed_order(limit=None, offset=0) -> list[int]:
    """Ids of published stories in the front page's order (inside an app context)."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.news.models import Article, Status

    query = (select(Article.id).where(Article.status == Status.published)
             .order_by(Article.published_at.desc(), Article.id.desc()).offset(offset).limit(limit))
    return list(db.session.scalars(query))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_environment(database: Path, port: int, page_cache: bool | None = None) -> dict:
    """The environment production mode needs, on loopback over plain HTTP."""
    env = {
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": SECRET_KEY,
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        # Cookies over plain HTTP, so the signed-in reader stays signed in on loopback.
        "PORTAL_SESSION_COOKIE_SECURE": "0",
        "PORTAL_REMEMBER_COOKIE_SECURE": "0",
    }
    if page_cache is not None:
        env["PORTAL_PAGE_CACHE"] = "1" if page_cache else "0"
    return env


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_peak_memory(self) -> list[int]:
        """VmHWM (peak resident memory) of each worker, in bytes."""
        peaks = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:  # a process that ended meanwhile
                continue
            if int(fields["PPid"]) == self.process.pid and "VmHWM" in fields:
                peaks.append(int(fields["VmHWM"].split()[0]) * 1024)
        return sorted(peaks)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def gunicorn(app: str, port: int, env: dict, name: str, ready_path: str, extra_args=()) -> Server:
    """gunicorn with the project's gunicorn.conf.py (gthread, PORTAL_THREADS threads), 2 workers,
    on 127.0.0.1:port. Workers are not recycled (--max-requests 0): a worker replaced mid-run
    would empty its caches and hide its peak memory."""
    log = CACHE / f"{name}.log"
    CACHE.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **env, "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_WORKERS": "2"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--max-requests", "0", *extra_args, app],
            cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn ({app}) exited with {process.returncode}: see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", ready_path)
            if connection.getresponse().status == 200 and len(server.worker_peak_memory()) == 2:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"gunicorn ({app}) was not ready within 60 s: see {log}")


def serve_portal(database: Path, page_cache: bool | None = None, **env) -> Server:
    """The portal in production mode (wsgi:app), on a port its public URL names."""
    port = free_port()
    return gunicorn("wsgi:app", port, {**portal_environment(database, port, page_cache), **env},
                    "portal", "/readyz")


def browser_sign_in(base_url: str) -> tuple[str, str]:
    """Sign the bench reader in through the login form in Chromium; the browser's Cookie header
    for the site and its User-Agent, for a load generator to send as that browser would."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base_url + "/login")
            page.get_by_label("Email").fill(READER_EMAIL)
            page.get_by_label("Password").fill(READER_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("button", name="Sign out").wait_for()
            user_agent = page.evaluate("navigator.userAgent")
            cookies = page.context.cookies(base_url)
        finally:
            browser.close()
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies), user_agent


def replace_section(name: str, body: str) -> None:
    """Rewrite docs/benchmarks.md between <!-- bench:NAME start --> and <!-- bench:NAME end -->
    (appended at the end the first time), leaving the rest of the file alone."""
    start, end = f"<!-- bench:{name} start -->", f"<!-- bench:{name} end -->"
    text = BENCHMARKS_DOC.read_text()
    section = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS_DOC.write_text(text)
