"""SQL statements per reader page with the page cache off (what a page costs when it is
rendered), the reader's lookup and the content version included. Each page is counted right
after a change to a story, when nothing kept from before may be used (rendered rows, the
sections), and again for the next reader, who gets what the first one left."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from portal.extensions import db

from ..conftest import log_in

HX = {"HX-Request": "true"}
ANONYMOUS = 4
SIGNED_IN = 6
PAGE_KINDS = ["front page", "section", "reporter", "next page", "next page fragment", "restored list",
              "archive day", "archive day's next page", "article", "search"]


@pytest.fixture
def site(app, factory, user):
    app.config["PAGE_CACHE"] = False
    security, ai = factory.section("Security"), factory.section("AI")
    ada, bo = factory.author("Ada Lee"), factory.author("Bo Chan")
    # All on one day, which the archive's pages list.
    day = datetime(2025, 6, 2, 20, 0, tzinfo=UTC)
    stories = [factory.story("Graphene sheet", section=security, authors=[ada, bo],
                             published_at=day - timedelta(minutes=10 * n)) for n in range(40)]
    factory.stories(10, section=ai, authors=[bo])
    return SimpleNamespace(stories=stories, security=security, ada=ada, user=user, day=day.date())


def page_request(site, kind) -> tuple[str, dict]:
    article = site.stories[3]
    return {
        "front page": ("/", {}),
        "section": (f"/sections/{site.security.slug}", {}),
        "reporter": (f"/authors/{site.ada.slug}", {}),
        "next page": (f"/?after={site.stories[29].id}", {}),
        "next page fragment": (f"/?after={site.stories[29].id}", HX),
        "restored list": (f"/?through={site.stories[35].id}", {}),
        "archive day": (f"/archive/{site.day:%Y/%m/%d}", {}),
        "archive day's next page": (f"/archive/{site.day:%Y/%m/%d}?after={site.stories[29].id}", {}),
        "article": (f"/articles/{article.id}/{article.slug}", {}),
        "search": ("/search?q=graphene", {}),
    }[kind]


def allowance(app, kind) -> int:
    """On PostgreSQL a search sets its own statement timeout and puts the configured one back
    (portal.search.engines): two statements that bound it rather than fetch anything."""
    with app.app_context():
        return 2 if kind == "search" and db.engine.dialect.name == "postgresql" else 0


def statements(client, factory, site, count_statements, kind) -> tuple[int, int]:
    url, headers = page_request(site, kind)
    factory.update(site.stories[-1].id, summary="A change: nothing kept from before may be used.")
    counts = []
    for _ in ("after the change", "for the next reader"):
        with count_statements as counter:
            response = client.get(url, headers=headers)
        assert response.status_code == 200
        counts.append(counter.count)
    return counts[0], counts[1]


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_anonymous_pages_stay_within_the_budget(app, client, factory, site, count_statements, kind):
    first, next_reader = statements(client, factory, site, count_statements, kind)
    assert first <= ANONYMOUS + allowance(app, kind)
    assert next_reader <= first


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_signed_in_pages_stay_within_the_budget(app, client, factory, site, count_statements, kind):
    assert log_in(client, site.user.email).status_code == 303
    first, next_reader = statements(client, factory, site, count_statements, kind)
    assert first <= SIGNED_IN + allowance(app, kind)
    assert next_reader <= first
