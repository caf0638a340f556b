"""The page cache under the production server: gunicorn's two workers keep pages of their own,
and a change made by another process (a CLI import, a script) is on every next request."""

import os
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from ..helpers import free_port, page_soup

PROJECT = Path(__file__).resolve().parents[2]
FEED = PROJECT / "tests" / "fixtures" / "feeds" / "ledger_review_rss.xml"
IMPORTED = "Northwind Labs raises $40m for battery recycling"


def front_page_titles(base: str) -> list[str]:
    # A new connection each time, so the requests spread over the workers.
    with urllib.request.urlopen(base + "/", timeout=10) as response:
        assert response.headers["Cache-Control"].startswith("public")
        return [a.get_text() for a in page_soup(response.read()).select(".story-title a")]


def run_portal(env, *args):
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run([str(flask), "--app", "wsgi", "portal", *args], check=False, cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=60)


def change_story(env, title: str, change: str):
    """Another process changes a story through the one publishing path."""
    script = textwrap.dedent(f"""
        from sqlalchemy import select
        from portal import create_app
        from portal.extensions import db
        from portal.models import Article
        from portal.news import operations
        app = create_app()
        with app.app_context():
            article = db.session.scalar(select(Article).where(Article.title == {title!r}))
            {change}
            db.session.commit()
    """)
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT, env=env, check=True, timeout=60)


@pytest.fixture(params=["in each worker", "shared through Redis"])
def server_env(request, app, factory):
    factory.story("Already on the front page", minutes_ago=5)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_ENV="production", PORTAL_SECRET_KEY="s3cret", PORTAL_PUBLIC_URL=f"http://127.0.0.1:{port}",
               PORTAL_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
               PORTAL_BIND=f"127.0.0.1:{port}", PORTAL_WORKERS="2", PORTAL_IMPORT_SECTION="business-tech")
    if request.param == "shared through Redis":
        env.update(PORTAL_REDIS_URL=request.getfixturevalue("redis_url"),
                   PORTAL_CACHE_KEY_PREFIX=f"test:{uuid.uuid4().hex}:")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                front_page_titles(base)
                break
            except OSError:
                time.sleep(0.05)
        yield env, base
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_changes_by_other_processes_are_on_every_next_request(server_env):
    env, base = server_env
    for _ in range(8):  # both workers have the page stored
        assert front_page_titles(base) == ["Already on the front page"]

    imported = run_portal(env, "import-feed", str(FEED))
    assert imported.returncode == 0, imported.stderr
    for _ in range(4):
        assert IMPORTED in front_page_titles(base)

    change_story(env, IMPORTED, "article.title = 'Northwind Labs raises $45m'; operations.update(article)")
    for _ in range(4):
        titles = front_page_titles(base)
        assert "Northwind Labs raises $45m" in titles and IMPORTED not in titles

    change_story(env, "Already on the front page", "operations.unpublish(article)")
    for _ in range(4):
        assert "Already on the front page" not in front_page_titles(base)
