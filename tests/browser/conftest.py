"""Browser tests: Debian's Chromium driven by Playwright against a live server in a thread."""

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.extensions import db
from portal.models import Article, Status

from ..conftest import make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_STORIES = 150


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        # Its streams end, and the notifier's thread, before the database connections go.
        self.app.extensions["portal.streams"].end_all(wait=True)
        self.server.shutdown()
        self.thread.join(timeout=10)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def feed_order(self) -> list[str]:
        """Row ids of every published story, in the order the front page lists them."""
        return [row_id for row_id, _ in self.feed_rows()]

    def feed_rows(self) -> list[tuple[str, object]]:
        """Row ids of every published story with its publication time, in feed order."""
        with self.app.app_context():
            rows = db.session.execute(
                select(Article.id, Article.published_at)
                .where(Article.status == Status.published)
                .order_by(Article.published_at.desc(), Article.id.desc())
            )
            return [(f"story-{i}", published_at) for i, published_at in rows]


def serve_demo(tmp_path: Path, demo_now=None, **config) -> LiveServer:
    """A live server of demo content, its newest story a few minutes before `demo_now` (now)."""
    from portal.demo.loader import load_demo

    app = make_app(tmp_path, TESTING=False, **config)
    with app.app_context():
        load_demo(articles=DEMO_STORIES, now=demo_now)
    return LiveServer(app)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = serve_demo(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"  # npm's axe-core 4.14.1, MPL-2.0


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, to run in a page with `page.evaluate` (which the page's CSP does not govern)."""
    return AXE.read_text()
