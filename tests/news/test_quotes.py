"""Quote sharing: the link to a passage (the short link with a text fragment) and its QR code,
made only for an exact passage of the story, at most 300 characters, never kept in Redis."""

import io
import uuid
from urllib.parse import quote_plus

import pytest
from PIL import Image

from portal.models import Status
from portal.news.share import QrOptions, encode, render_qr, share_code

from ..conftest import make_app
from ..helpers import soup
from .test_share import decode_png

BODY = ("Chipmakers in Dresden expect a record year, the state-owned bank said on Monday.\n\n"
        "Orders from carmakers, long the region's mainstay, doubled.")


@pytest.fixture
def story(factory):
    return factory.story("Dresden's chip boom", summary="A record year.", body=BODY)


def ask(client, story, text, fragment=False):
    headers = {"HX-Request": "true"} if fragment else {}
    return client.get(f"/articles/{story.id}/quote", query_string={"text": text}, headers=headers)


def test_a_passage_of_one_paragraph_is_linked_with_its_text(client, story):
    response = ask(client, story, "expect a  record year,\n the state-owned bank")
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1").get_text() == "Share a quote"
    assert page.select_one(".quote-passage").get_text(strip=True) == "expect a record year, the state-owned bank"
    link = page.select_one("textarea.quote-url").get_text()
    # Text directives reserve "-" and "," besides what URLs reserve.
    assert link == (f"http://localhost/s/{share_code(story.id)}#:~:text="
                    "expect%20a%20record%20year%2C%20the%20state%2Downed%20bank")
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_the_fragment_is_the_dialogs_body_alone(client, story):
    response = ask(client, story, "Orders from carmakers", fragment=True)
    assert response.status_code == 200
    assert b"<html" not in response.data
    page = soup(response)
    assert page.select_one("textarea.quote-url").get_text().endswith("#:~:text=Orders%20from%20carmakers")
    image = page.select_one("img.quote-qr")
    assert image["alt"] == "QR code linking to this passage of the story"
    assert image["src"] == f"/articles/{story.id}/quote-qr.svg?text={quote_plus('Orders from carmakers')}"


def test_a_passage_across_paragraphs_is_named_by_its_first_and_last_words(client, story):
    response = ask(client, story, "said on Monday.\n\nOrders from carmakers, long")
    link = soup(response).select_one("textarea.quote-url").get_text()
    assert link.endswith("#:~:text=said%20on%20Monday.,from%20carmakers%2C%20long")


@pytest.mark.parametrize("text, message", [
    ("", "Select a passage of the story to share."),
    ("Chipmakers in Munich", "That text is not a passage of this story."),
    ("x" * 301, "Choose a shorter passage: at most 300 characters."),
])
def test_anything_but_a_passage_is_refused_plainly(client, story, text, message):
    for fragment in (False, True):
        response = ask(client, story, text, fragment)
        assert response.status_code == 400
        assert soup(response).select_one(".quote-problem").get_text() == message
    qr = client.get(f"/articles/{story.id}/quote-qr.svg", query_string={"text": text})
    assert qr.status_code == 400
    assert qr.get_data(as_text=True) == message + "\n"


def test_a_story_not_published_has_no_quotes(client, factory):
    draft = factory.story("Not yet", status=Status.draft, body=BODY)
    assert ask(client, draft, "Orders from carmakers").status_code == 404
    assert client.get(f"/articles/{draft.id}/quote-qr.svg?text=Orders").status_code == 404
    assert client.get("/articles/999999/quote?text=Orders").status_code == 404


def test_the_quote_qr_code_is_the_link_of_the_passage(client, story):
    response = client.get(f"/articles/{story.id}/quote-qr.svg", query_string={"text": "the state-owned bank"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=86400" in response.headers["Cache-Control"]
    link = f"http://localhost/s/{share_code(story.id)}#:~:text=the%20state%2Downed%20bank"
    # The same drawing as the link's own QR code, which scans as the link (the browser test
    # scans the SVG itself, as a page shows it).
    assert response.data == render_qr(link, QrOptions(), "svg")
    assert decode_png(render_qr(link, QrOptions(), "png")) == [link]


def test_quotes_are_kept_in_this_process_and_never_in_redis(tmp_path, factory_for, redis_url):
    import redis

    prefix = f"test-{uuid.uuid4().hex}:cache:"
    app = make_app(tmp_path, REDIS_URL=redis_url, CACHE_KEY_PREFIX=prefix, TESTING=False)
    story = factory_for(app).story("Dresden's chip boom", body=BODY)
    client = app.test_client()
    server = redis.Redis.from_url(redis_url)
    before = set(server.scan_iter(f"{prefix}*"))
    first = client.get(f"/articles/{story.id}/quote-qr.svg?text=Orders%20from%20carmakers")
    again = client.get(f"/articles/{story.id}/quote-qr.svg?text=Orders%20from%20carmakers")
    page = client.get(f"/articles/{story.id}/quote?text=Orders%20from%20carmakers")
    assert first.status_code == again.status_code == page.status_code == 200
    assert first.data == again.data
    assert set(server.scan_iter(f"{prefix}*")) - before == set()


def test_a_selection_inside_words_is_widened_to_them(client, story):
    """Text fragments match whole words: a selection from the middle of one is shared whole."""
    response = ask(client, story, "makers in Dresden expect a rec")
    page = soup(response)
    assert page.select_one(".quote-passage").get_text(strip=True) == "Chipmakers in Dresden expect a record"
    assert page.select_one("textarea.quote-url").get_text().endswith("#:~:text=Chipmakers%20in%20Dresden%20expect%20a%20record")


def test_the_longest_passage_gets_a_qr_code_phones_can_read(client, factory):
    from portal.news.quotes import QUOTE_MAX

    words = " ".join(f"word{n}" for n in range(80))
    story = factory.story("A long one", body=words)
    passage = words[:QUOTE_MAX].rsplit(" ", 1)[0]
    page = soup(ask(client, story, passage))
    image = page.select_one("img.quote-qr")
    link = page.select_one("textarea.quote-url").get_text()
    width = int(image["width"])
    assert int(image["height"]) == width
    modules = encode(link, "M").symbol_size(border=4)[0]
    assert modules > 80 and width >= 2 * modules  # two pixels a module at least
    png = render_qr(link, QrOptions(size=width), "png")
    assert Image.open(io.BytesIO(png)).size == (width, width)
    assert decode_png(png) == [link]


def test_a_passage_too_long_for_a_qr_code_still_gets_its_link(client, factory):
    """Japanese or emoji take 9 to 12 bytes a character once encoded in the link."""
    body = "東京の半導体工場が新しい生産ラインを稼働させた。" * 12
    story = factory.story("東京の工場", body=body)
    passage = body[:280]
    page = soup(ask(client, story, passage))
    assert page.select_one("img.quote-qr") is None
    assert page.select_one(".quote-note").get_text() == "This passage is too long for a QR code; its link works."
    assert "#:~:text=%E6%9D%B1" in page.select_one("textarea.quote-url").get_text()
    qr = client.get(f"/articles/{story.id}/quote-qr.svg", query_string={"text": passage})
    assert qr.status_code == 400
    assert qr.get_data(as_text=True).startswith("That passage is too long for a QR code")
