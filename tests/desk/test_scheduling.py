"""Scheduling: Publish at in the newsroom's time zone, Schedule refusing a time past or skipped,
scheduled stories shown nowhere, and `portal publish-due` publishing each due story exactly once
(also when two runs overlap) at the moment it runs, above what readers already have."""

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.desk.cli import publish_due_once
from portal.extensions import db
from portal.models import Article, AuditEntry, Status
from portal.news import operations
from portal.news.share import share_code
from portal.news.version import read_version
from portal.web.timestamps import utcnow

from ..conftest import log_in, make_app
from ..helpers import soup, story_ids
from .conftest import form_post, post_story, story_id

HX = {"HX-Request": "true"}
PROJECT = Path(__file__).resolve().parents[2]


def stored(app, article_id) -> Article:
    with app.app_context():
        article = db.session.get(Article, article_id)
        db.session.expunge(article)
        return article


def local_field(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_schedule_needs_a_time_to_come_and_keeps_the_story_unpublished(app, desk):
    missing = post_story(desk, action="schedule")
    assert missing.status_code == 400
    assert "Give the date and time to publish it (UTC time)." in soup(missing).select_one("#publish_at-errors").get_text()
    past = post_story(desk, action="schedule", publish_at=local_field(utcnow() - timedelta(minutes=5)))
    assert past.status_code == 400
    assert "That time has passed" in soup(past).select_one("#publish_at-errors").get_text()
    assert soup(past).select_one("input#title")["value"] == "Chipmaker opens a new fab"  # nothing lost
    with app.app_context():
        assert db.session.scalar(select(Article.id)) is None

    when = (utcnow() + timedelta(hours=2)).replace(second=0, microsecond=0)
    scheduled = story_id(post_story(desk, action="schedule", publish_at=local_field(when)))
    article = stored(app, scheduled)
    assert (article.status, article.publish_at, article.published_at) == (Status.scheduled, when, None)
    page = soup(desk.get(f"/desk/stories/{scheduled}"))
    assert page.select_one("input#publish_at")["value"] == local_field(when)
    assert page.select_one("input#publish_at")["type"] == "datetime-local"
    assert "UTC time" in page.select_one("#publish_at-hint").get_text()
    assert [b.get_text() for b in page.select(".story-actions button")] == ["Preview", "Save draft", "Publish",
                                                                            "Schedule"]
    assert "Scheduled" in page.select_one(".desk-intro").get_text()


def test_publish_at_is_read_in_the_newsrooms_zone(tmp_path, factory_for):
    app = make_app(tmp_path, TIMEZONE="Europe/Berlin")
    factory = factory_for(app)
    section = factory.section("Security")
    factory.user("editor@example.com", role="editor")
    desk = app.test_client()
    assert log_in(desk, "editor@example.com").status_code == 303
    desk.section, desk.ada = section, factory.author("Ada Lee")
    year = utcnow().year + 1
    # 02:30 on the last Sunday of March does not exist in Berlin: the clocks go from 02:00 to 03:00.
    skipped = post_story(desk, action="schedule", publish_at=f"{year}-03-{last_sunday(year, 3):02}T02:30")
    assert skipped.status_code == 400
    assert "does not exist in Europe/Berlin" in soup(skipped).select_one("#publish_at-errors").get_text()
    # 02:30 on the last Sunday of October happens twice: the first is 00:30 UTC (still summer time).
    twice = story_id(post_story(desk, action="schedule", publish_at=f"{year}-10-{last_sunday(year, 10):02}T02:30"))
    assert stored(app, twice).publish_at == datetime(year, 10, last_sunday(year, 10), 0, 30, tzinfo=UTC)
    page = soup(desk.get(f"/desk/stories/{twice}"))
    assert page.select_one("input#publish_at")["value"] == f"{year}-10-{last_sunday(year, 10):02}T02:30"
    assert "Europe/Berlin time" in page.select_one("#publish_at-hint").get_text()
    # Year 1 in Berlin is before the first moment there is: a message, not a crash.
    beyond = post_story(desk, action="schedule", publish_at="0001-01-01T00:00")
    assert beyond.status_code == 400
    assert "Give a date in the coming" in soup(beyond).select_one("#publish_at-errors").get_text()


def last_sunday(year: int, month: int) -> int:
    day = datetime(year, month, 31)
    return day.day - (day.weekday() + 1) % 7


def test_scheduled_and_draft_stories_are_shown_nowhere_until_published(app, client, desk, factory):
    shown = factory.story("A story readers have", minutes_ago=5)
    draft = story_id(post_story(desk, action="draft", title="Draft about quantum chips", body="Quantum draft."))
    scheduled = story_id(post_story(desk, action="schedule", title="Embargoed quantum chips",
                                    body="Quantum embargo.", publish_at=local_field(utcnow() + timedelta(hours=1))))
    hidden = (draft, scheduled)
    for url in ("/", "/sections/security", "/authors/ada-lee", "/feed.atom", "/sitemap.xml",
                "/search?q=quantum", f"/live/new?newest={shown.id}"):
        response = client.get(url, headers=HX if url.startswith("/live") else {})
        text = response.get_data(as_text=True)
        assert "embargoed quantum" not in text.lower() and "draft about" not in text.lower(), url
        assert not any(f"/articles/{i}/" in text for i in hidden), url
    assert client.get(f"/live/new?newest={shown.id}", headers=HX).status_code == 204
    for story in hidden:
        for url in (f"/articles/{story}/embargoed-quantum-chips", f"/articles/{story}", f"/s/{share_code(story)}",
                    f"/articles/{story}/qr.svg", f"/articles/{story}/card-0123456789abcdef.png"):
            assert client.get(url).status_code == 404, url


def test_publish_due_publishes_when_due_exactly_once_above_what_readers_have(app, client, factory, signals_sent):
    due_at = utcnow() - timedelta(minutes=1)
    early = factory.story("Scheduled an hour ago, due now", status=Status.scheduled, publish_at=due_at)
    later = factory.story("Due tomorrow", status=Status.scheduled, publish_at=utcnow() + timedelta(days=1))
    newest = factory.story("Published a moment ago", minutes_ago=0)
    assert story_ids(client.get("/")) == [newest.id]

    before = utcnow()
    with app.app_context():
        assert publish_due_once() == [early.id]
        assert publish_due_once() == []  # a second run finds nothing left to do
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "published")))
        assert [(e.actor_email, e.subject, e.detail) for e in entries] == [
            ("publish-due", f"story {early.id}", "scheduled")]
    article = stored(app, early.id)
    assert article.status is Status.published and article.publish_at is None
    assert article.published_at >= before  # dated when it was published, not when it was due
    assert stored(app, later.id).status is Status.scheduled
    assert story_ids(client.get("/")) == [early.id, newest.id]  # above the story readers had
    assert [ids for name, ids, _visible in signals_sent if name == "story_published"][-1] == [early.id]
    notice = client.get(f"/live/new?newest={newest.id}", headers=HX)
    assert "1 new story" in notice.get_data(as_text=True)


def test_a_run_with_nothing_to_do_leaves_cached_pages_alone(app, factory):
    factory.story("Due tomorrow", status=Status.scheduled, publish_at=utcnow() + timedelta(days=1))
    with app.app_context():
        before = read_version()
        assert publish_due_once() == [] and publish_due_once() == []
        assert read_version() == before  # no UPDATE ran: the content version stays


def test_the_command_reports_what_it_published(app, runner, factory):
    due = factory.story("Due", status=Status.scheduled, publish_at=utcnow() - timedelta(seconds=1))
    result = runner.invoke(args=["portal", "publish-due"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Published 1 scheduled story: {due.id}.\n"
    assert runner.invoke(args=["portal", "publish-due"]).output == "Published 0 scheduled stories.\n"


def test_two_runs_at_once_publish_each_story_once(app, factory):
    """The first run's UPDATE holds its rows until it commits; the second, started meanwhile, waits
    for them (PostgreSQL's row locks, SQLite's write lock) and then finds them published."""
    due = [factory.story(f"Due {n}", status=Status.scheduled, publish_at=utcnow() - timedelta(minutes=1)).id
           for n in range(5)]
    first_holds, results = threading.Event(), {}

    def first_run():
        with app.app_context():
            results["first"] = operations.publish_due()
            first_holds.set()
            time.sleep(0.5)  # the second run is waiting on these rows now
            db.session.commit()

    def second_run():
        first_holds.wait()
        with app.app_context():
            results["second"] = publish_due_once()

    threads = [threading.Thread(target=first_run), threading.Thread(target=second_run)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results["first"]) == sorted(due)
    assert results["second"] == []
    with app.app_context():
        assert set(db.session.scalars(select(Article.status))) == {Status.published}


def test_a_scheduled_story_goes_back_to_draft_or_is_published_now(app, desk):
    when = local_field(utcnow() + timedelta(hours=3))
    scheduled = story_id(post_story(desk, action="schedule", publish_at=when))
    assert form_post(desk, scheduled, action="draft").status_code == 303
    assert (stored(app, scheduled).status, stored(app, scheduled).publish_at) == (Status.draft, None)
    assert form_post(desk, scheduled, action="schedule", publish_at=when).status_code == 303
    assert form_post(desk, scheduled, action="publish").status_code == 303
    article = stored(app, scheduled)
    assert (article.status, article.publish_at) == (Status.published, None)
    with app.app_context():
        assert publish_due_once() == []


def test_the_command_kept_running_publishes_a_story_when_it_falls_due(app, factory):
    """What `make run` and `make serve` start beside the server (with --every 60)."""
    due_at = utcnow() + timedelta(seconds=2)
    story = factory.story("Due in two seconds", status=Status.scheduled, publish_at=due_at)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
               PORTAL_INSTANCE_PATH=app.instance_path)
    loop = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "portal", "publish-due", "--every", "1"],
                            cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while stored(app, story.id).status is not Status.published and time.monotonic() < deadline:
            time.sleep(0.2)
        assert stored(app, story.id).status is Status.published
        assert stored(app, story.id).published_at >= due_at
    finally:
        loop.terminate()
        output, _ = loop.communicate(timeout=10)
    assert f"Published 1 scheduled story: {story.id}." in output


def test_make_run_and_make_serve_run_it_every_minute_beside_the_server():
    for target, server in (("run", "flask --app wsgi run"), ("serve", "gunicorn -c gunicorn.conf.py")):
        commands = subprocess.run(["make", "-n", target], cwd=PROJECT, capture_output=True, text=True,
                                  check=True).stdout
        line = next(line for line in commands.splitlines() if server in line)
        assert "portal publish-due --every 60 &" in line
        assert line.index("publish-due") < line.index(server)
        assert "trap 'kill $schedule" in line  # stopped with the server


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "2026-13-40T25:00", "soon", "2027-01-01"])
def test_a_publish_at_beyond_the_calendar_is_a_form_error(app, desk, value):
    response = post_story(desk, action="schedule", publish_at=value)
    assert response.status_code == 400
    assert soup(response).select_one("#publish_at-errors").get_text(strip=True)


def test_the_top_story_box_goes_with_publishing_not_with_schedule(app, desk):
    response = post_story(desk, action="schedule", top_story="y",
                          publish_at=local_field(utcnow() + timedelta(hours=1)))
    assert response.status_code == 400
    assert "when it is published" in soup(response).select_one("#top_story-errors").get_text()
