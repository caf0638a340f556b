import io
import uuid
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from portal.models import Status
from portal.news import share
from portal.news.share import article_id_from_code, share_code

from ..conftest import make_app
from ..helpers import soup

SVG_NS = "{http://www.w3.org/2000/svg}"


def decode_png(data: bytes) -> list[str]:
    """What a phone reads in the image: at the size it is (no downscaling), dark on light only."""
    image = Image.open(io.BytesIO(data))
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        # Transparent light modules: put the code on white, as a page behind it would.
        background = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(background, image.convert("RGBA"))
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode,
                                   try_downscale=False, try_invert=False)
    return [result.text for result in found]


@pytest.fixture
def story(factory):
    return factory.story("Helio ships a phone you can repair")


# ---- short links -------------------------------------------------------------------

@pytest.mark.parametrize("article_id, code", [(1, "1"), (61, "Z"), (62, "10"), (101, "1D"), (10**12, "hBxM5A4")])
def test_share_codes_are_base62_of_the_id(article_id, code):
    assert share_code(article_id) == code
    assert article_id_from_code(code) == article_id


@pytest.mark.parametrize("code", ["", "01", "a-b", "é", "1" * 12, "%20"])
def test_codes_that_name_no_article(code):
    assert article_id_from_code(code) is None


def test_share_link_redirects_permanently_to_the_article(client, story):
    response = client.get(f"/s/{share_code(story.id)}")
    assert response.status_code == 301
    assert response.location == f"/articles/{story.id}/{story.slug}"
    assert client.get(response.location).status_code == 200


@pytest.mark.parametrize("code", ["zzzzzz", "01", "a-b", "x" * 20])
def test_unknown_share_codes_get_the_404_page(client, story, code):
    response = client.get(f"/s/{code}")
    assert response.status_code == 404
    assert soup(response).select_one("h1").get_text() == "We couldn’t find that page"


def test_share_link_of_an_unpublished_story_is_404(client, factory):
    draft = factory.story(status=Status.draft)
    assert client.get(f"/s/{share_code(draft.id)}").status_code == 404


# ---- the QR image -----------------------------------------------------------------

def test_png_decodes_to_the_share_url_which_leads_to_the_article(client, story):
    response = client.get(f"/articles/{story.id}/qr.png")
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert decode_png(response.data) == [f"http://localhost/s/{share_code(story.id)}"]
    followed = client.get(f"/s/{share_code(story.id)}", follow_redirects=True)
    assert soup(followed).select_one("h1").get_text() == "Helio ships a phone you can repair"


def test_qr_encodes_the_public_url_when_set(app, client, story):
    app.config["PUBLIC_URL"] = "https://news.example.com"
    data = client.get(f"/articles/{story.id}/qr.png", base_url="http://internal:8000").data
    assert decode_png(data) == [f"https://news.example.com/s/{story.id}"]


def test_svg_is_well_formed_xml_with_the_asked_for_colours(client, story):
    response = client.get(f"/articles/{story.id}/qr.svg?dark=%23123&light=%23fafafa&size=300&border=2")
    assert response.status_code == 200
    assert response.content_type == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG_NS}svg"
    assert (root.get("width"), root.get("height")) == ("300", "300")
    strokes = {el.get("stroke") for el in root.iter() if el.get("stroke")}
    fills = {el.get("fill") for el in root.iter() if el.get("fill")}
    assert strokes == {"#123"} and fills == {"#fafafa"}  # segno writes the shortest form
    assert not [el for el in root.iter() if el.tag.endswith("script")]


@pytest.mark.parametrize("query", ["", "?size=64", "?size=2048&border=0", "?ecc=H", "?ecc=l&light=transparent",
                                   "?dark=%23004400&light=%23eeffee"])
def test_every_option_still_decodes(client, story, query):
    data = client.get(f"/articles/{story.id}/qr.png{query}").data
    assert decode_png(data) == [f"http://localhost/s/{story.id}"]


# http://localhost/s/1 is 20 bytes: a version 2 code (25 modules a side) at ecc M, version 3 (29)
# at ecc H. With its border that is 33 modules (4 each side), or 45 at H with a border of 8.
SMALLEST = {"": 66, "&ecc=H&border=8": 90}  # two pixels a module


def test_every_allowed_png_size_is_that_size_or_two_pixels_a_module_and_decodes(client, story):
    """Every size where modules are few pixels (up to 6 a module, where uneven modules could trip a
    decoder) is drawn and decoded, and one in 37 beyond (large images are most of the cost)."""
    for extra, smallest in SMALLEST.items():
        sizes = [size for size in share.SIZE_RANGE if size <= 3 * smallest or size % 37 == 0]
        for size in sizes if extra == "" else range(64, smallest + 3):
            data = client.get(f"/articles/{story.id}/qr.png?size={size}{extra}").data
            image = Image.open(io.BytesIO(data))
            assert image.size == (max(size, smallest),) * 2, (size, extra)
            assert decode_png(data) == [f"http://localhost/s/{story.id}"], (size, extra)


def test_every_allowed_svg_size_is_drawn_that_size(client, story):
    """As for the PNG: every size up to six pixels a module, one in 37 beyond."""
    for size in (size for size in share.SIZE_RANGE if size <= 3 * 66 or size % 37 == 0):
        root = ET.fromstring(client.get(f"/articles/{story.id}/qr.svg?size={size}").data)
        assert (root.get("width"), root.get("height")) == (str(max(size, 66)),) * 2
        assert root.get("viewBox") == "0 0 33 33"  # the whole code and its border, scaled to fit
    root = ET.fromstring(client.get(f"/articles/{story.id}/qr.svg?size=64&ecc=H&border=8").data)
    assert (root.get("width"), root.get("viewBox")) == ("90", "0 0 45 45")


@pytest.mark.parametrize("query", ["dark=%23767676", "dark=%23767676&light=transparent", "dark=%23000&light=%23757575"])
def test_colours_just_inside_the_contrast_limit_are_drawn_and_decode(client, story, query):
    response = client.get(f"/articles/{story.id}/qr.png?{query}")
    assert response.status_code == 200  # #767676 on white: 4.54:1; black on #757575: 4.56:1
    assert decode_png(response.data) == [f"http://localhost/s/{story.id}"]


def test_transparent_light_leaves_the_background_clear(client, story):
    image = Image.open(io.BytesIO(client.get(f"/articles/{story.id}/qr.png?light=transparent").data))
    assert image.convert("RGBA").getpixel((0, 0))[3] == 0
    opaque = Image.open(io.BytesIO(client.get(f"/articles/{story.id}/qr.png").data))
    assert opaque.convert("RGBA").getpixel((0, 0)) == (255, 255, 255, 255)


@pytest.mark.parametrize("query, reason", [
    ("size=63", "size must be a whole number of pixels from 64 to 2048."),
    ("size=2049", "size must be"),
    ("size=abc", "size must be"),
    ("size=-100", "size must be"),
    ("size=1e3", "size must be"),
    ("size=%C2%B2", "size must be"),
    ("border=%C2%B2", "border must be"),
    ("border=9", "border must be a whole number of modules from 0 to 8."),
    ("border=-1", "border must be"),
    ("dark=red", "dark must be a colour written #rgb or #rrggbb."),
    ("dark=%2312", "dark must be"),
    ("dark=%23abcd", "dark must be"),
    ("dark=123456", "dark must be"),
    ("dark=%23123%22%3E%3Cscript%3E", "dark must be"),
    ("light=%23ggg", "light must be a colour written #rgb or #rrggbb, or transparent."),
    ("light=none", "light must be"),
    ("ecc=X", "ecc must be L, M, Q or H."),
    ("ecc=MM", "ecc must be"),
    ("colour=%23000", "Unknown option “colour”: use size, border, dark, light or ecc."),
    ("dark=%23fff&light=%23000",
     "dark must be darker than light: phone cameras look for dark modules on a light ground."),
    ("light=%23000", "dark must be darker than light"),
    ("dark=%23ffffff&light=transparent", "dark must be darker than a white page (light=transparent)"),
    ("dark=%23777&light=%23fff",
     "dark and light are too alike for phone cameras: their contrast is 4.48:1, and it must be at least 4.5:1."),
    ("dark=%23003&light=%23115", "dark and light are too alike for phone cameras: their contrast is 1."),
    ("dark=%23aaa&light=transparent", "dark and light are too alike"),
    ("size=100&size=200", "Give “size” once."),
    ("v=abc", "v must be a renderer version, a whole number."),
    ("v=-2", "v must be"),
])
@pytest.mark.parametrize("kind", ["svg", "png"])
def test_bad_options_get_400_with_a_one_line_reason(client, story, kind, query, reason):
    response = client.get(f"/articles/{story.id}/qr.{kind}?{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.count("\n") == 1 and text.startswith(reason)
    assert response.content_type.startswith("text/plain")


def test_unknown_or_unpublished_articles_get_404(client, factory):
    draft = factory.story(status=Status.draft)
    pulled = factory.story()
    factory.set_status(pulled.id, Status.draft)
    for article_id in (999999, draft.id, pulled.id):
        for kind in ("svg", "png"):
            assert client.get(f"/articles/{article_id}/qr.{kind}").status_code == 404
    # Not a QR route: the story's address with another slug, and the story is withdrawn.
    assert client.get(f"/articles/{pulled.id}/qr.gif").status_code == 410


# ---- caching and embedding -----------------------------------------------------------

def test_cacheable_for_a_year_with_a_strong_etag_and_304_when_named_with_the_renderer(client, story):
    url = f"/articles/{story.id}/qr.svg?size=300&v={share.RENDERER_VERSION}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


@pytest.mark.parametrize("version", [None, "1", "99"])
def test_without_the_current_renderer_in_the_url_images_are_revalidated_daily(client, story, version):
    """Embeds on other sites name no renderer: a new one must reach their readers in a day."""
    url = f"/articles/{story.id}/qr.png" + (f"?v={version}" if version else "")
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=86400"
    assert decode_png(first.data) == [f"http://localhost/s/{story.id}"]
    pinned = client.get(f"/articles/{story.id}/qr.png?v={share.RENDERER_VERSION}")
    assert pinned.headers["ETag"] == first.headers["ETag"] and pinned.data == first.data  # the same image
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "public, max-age=86400"


def test_etags_differ_by_options_format_and_host(client, story):
    def etag(path, **kwargs):
        return client.get(path, **kwargs).headers["ETag"]

    base = f"/articles/{story.id}/qr"
    tags = {
        etag(f"{base}.svg"), etag(f"{base}.png"), etag(f"{base}.svg?size=512"),
        etag(f"{base}.svg", base_url="http://other.example"),
    }
    assert len(tags) == 4
    assert etag(f"{base}.svg?dark=%23000") == etag(f"{base}.svg?dark=%23000000") == etag(f"{base}.svg")


def test_a_forged_host_never_poisons_another_readers_image(client, story):
    path = f"/articles/{story.id}/qr.png"
    forged = client.get(path, base_url="http://evil.example")
    assert decode_png(forged.data) == [f"http://evil.example/s/{story.id}"]
    honest = client.get(path)
    assert decode_png(honest.data) == [f"http://localhost/s/{story.id}"]
    assert client.get(path, headers={"If-None-Match": forged.headers["ETag"]}).status_code == 200


def count_renders(monkeypatch):
    renders = []
    original = share.render_qr
    monkeypatch.setattr(share, "render_qr", lambda *args: renders.append(args) or original(*args))
    return renders


def test_repeated_requests_are_served_from_the_render_cache(client, story, monkeypatch):
    renders = count_renders(monkeypatch)
    url = f"/articles/{story.id}/qr.png?size=320&ecc=Q"
    first = client.get(url).data
    for _ in range(3):
        assert client.get(url).data == first
    assert len(renders) == 1
    client.get(url, base_url="http://other.example")
    assert len(renders) == 2  # another share URL is another image


def test_workers_share_rendered_images_through_redis(tmp_path, factory_for, monkeypatch, redis_url):
    import redis

    prefix = f"test-{uuid.uuid4().hex}:cache:"
    app = make_app(tmp_path, REDIS_URL=redis_url, CACHE_KEY_PREFIX=prefix,
                   PUBLIC_URL=f"https://{uuid.uuid4().hex}.example")
    story = factory_for(app).story()
    renders = count_renders(monkeypatch)
    url = f"/articles/{story.id}/qr.svg"
    server = redis.Redis.from_url(redis_url)
    try:
        first = app.test_client().get(url).data
        share.rendered_images.clear()  # as if another worker, with nothing in its own cache
        assert app.test_client().get(url).data == first
        assert len(renders) == 1
    finally:
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)


def test_only_default_renderings_go_to_redis_and_for_days(tmp_path, factory_for, redis_url):
    import redis

    server = redis.Redis.from_url(redis_url)
    prefix = f"test-{uuid.uuid4().hex}:cache:"
    app = make_app(tmp_path, REDIS_URL=redis_url, CACHE_KEY_PREFIX=prefix,
                   PUBLIC_URL=f"https://{uuid.uuid4().hex}.example")
    story = factory_for(app).story()
    client = app.test_client()
    base = f"/articles/{story.id}/qr"
    try:
        defaults = [client.get(f"{base}.svg"), client.get(f"{base}.png")]
        variants = {f"{base}.png?size={size}&ecc={ecc}": size for size in range(100, 2049, 97) for ecc in "LH"}
        variant_tags = []
        for url in variants:
            response = client.get(url)
            assert response.status_code == 200
            variant_tags.append(response.headers["ETag"].strip('"'))
        stored = sorted(key.decode() for key in server.scan_iter(f"{prefix}*"))
        assert stored == sorted(f"{prefix}qr:{r.headers['ETag'].strip(chr(34))}" for r in defaults)
        for key in stored:
            assert 86_400 <= server.ttl(key) <= 30 * 86_400  # days, not a year
        for tag in variant_tags:
            assert not server.exists(f"{prefix}qr:{tag}") and not server.exists(f"qr:{tag}")

        share.rendered_images.clear()
        for url, size in list(variants.items())[:3]:  # rendered afresh in this process, correctly
            response = client.get(url)
            assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
            assert decode_png(response.data) == [f"{app.config['PUBLIC_URL']}/s/{story.id}"]
            assert Image.open(io.BytesIO(response.data)).width <= size
        assert [client.get(f"{base}.{kind}").data for kind in ("svg", "png")] == [r.data for r in defaults]
    finally:
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)


def test_a_new_renderer_version_gets_a_new_etag_and_render(tmp_path, factory_for, monkeypatch):
    """Codes drawn differently (a deploy that bumps RENDERER_VERSION) are new images: a browser or
    CDN that revalidates gets them, and no cache serves the old drawing. (Stored pages last only
    as long as the process, which a deploy restarts, so they are off here.)"""
    app = make_app(tmp_path, PAGE_CACHE=False)
    story = factory_for(app).story()
    client = app.test_client()
    share.rendered_images.clear()  # another test's image of the same URL and options
    renders = count_renders(monkeypatch)
    url = f"/articles/{story.id}/qr.png"
    before = client.get(url)
    page_image = soup(client.get(f"/articles/{story.id}/{story.slug}")).select_one(".share-qr img")["src"]
    monkeypatch.setattr(share, "RENDERER_VERSION", share.RENDERER_VERSION + 1)
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert len(renders) == 2  # not the old drawing kept in this process
    assert decode_png(after.data) == [f"http://localhost/s/{story.id}"]
    assert client.get(url, headers={"If-None-Match": after.headers["ETag"]}).status_code == 304
    # The article page names a new URL, so its readers' year-long copies are not used; the old
    # URL, still in pages stored before, is no longer kept a year.
    new_page_image = soup(client.get(f"/articles/{story.id}/{story.slug}")).select_one(".share-qr img")["src"]
    assert new_page_image != page_image
    assert client.get(new_page_image).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(page_image).headers["Cache-Control"] == "public, max-age=86400"


def test_a_new_renderer_version_is_a_new_redis_key(tmp_path, factory_for, monkeypatch, redis_url):
    import redis

    server = redis.Redis.from_url(redis_url)
    prefix = f"test-{uuid.uuid4().hex}:cache:"
    app = make_app(tmp_path, REDIS_URL=redis_url, CACHE_KEY_PREFIX=prefix, PAGE_CACHE=False,
                   PUBLIC_URL=f"https://{uuid.uuid4().hex}.example")
    story = factory_for(app).story()
    url = f"/articles/{story.id}/qr.svg"
    try:
        old = app.test_client().get(url).headers["ETag"].strip('"')
        server.set(f"{prefix}qr:{old}", b"<svg>the old drawing</svg>")
        share.rendered_images.clear()  # a worker of the new deploy
        monkeypatch.setattr(share, "RENDERER_VERSION", share.RENDERER_VERSION + 1)
        response = app.test_client().get(url)
        new = response.headers["ETag"].strip('"')
        assert new != old and b"the old drawing" not in response.data
        assert server.get(f"{prefix}qr:{new}") == response.data
    finally:
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)


def test_images_are_embeddable_from_any_origin(client, story):
    for kind in ("svg", "png"):
        response = client.get(f"/articles/{story.id}/qr.{kind}", headers={"Origin": "https://blog.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


# ---- the share block ---------------------------------------------------------------------

def test_article_page_share_block(client, factory):
    story = factory.story('Quotes "and" <tags> in a headline')
    page = soup(client.get(f"/articles/{story.id}/{story.slug}"))
    block = page.select_one(".share")
    image = block.select_one(".share-qr img")
    assert image["src"] == f"/articles/{story.id}/qr.svg?v={share.RENDERER_VERSION}"
    assert image["alt"] == f"QR code linking to this story: http://localhost/s/{story.id}"
    assert block.select_one("figcaption").get_text() == "Scan to read on your phone"
    # The whole short link is the text, which text browsers show uncut, and a link to follow.
    link = block.select_one("a.share-url")
    assert link.get_text() == link["href"] == f"http://localhost/s/{story.id}"
    assert block.select_one(".share-row")["data-share-url"] == f"http://localhost/s/{story.id}"
    # Copy and Share work only with JavaScript, which adds them: none in the HTML.
    assert block.select("button") == []
    assert "Copy" not in block.get_text() and "Share…" not in block.get_text()
    embed = block.select_one("details.share-embed")
    assert embed.select_one("summary").get_text() == "Embed the QR code on your site"
    snippet = soup_of(embed.select_one("textarea").get_text())
    link = snippet.select_one("a")
    assert link["href"] == f"http://localhost/s/{story.id}"
    assert link.img["src"] == f"http://localhost/articles/{story.id}/qr.svg"  # no renderer: revalidated daily
    assert link.img["alt"] == 'QR code: Quotes "and" <tags> in a headline'


def soup_of(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")
