"""A story's lead image from the desk: checked and cleaned on upload (a refusal keeps the editor's
text), shown with srcset, sizes, width, height, alt and caption, shared as og:image, replaced under
a new URL, and kept in a bucket when one is configured."""

import io
import json
import re
from datetime import timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.media.images import MAX_BYTES
from portal.web.timestamps import utcnow

from ..conftest import csrf_token_from, log_in, make_app, s3_client
from ..helpers import soup
from ..images import camera_exif, encoded, opened, photo, png_claiming
from .conftest import form_post, story_data, story_id


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return FileStorage(io.BytesIO(data), name, content_type=content_type)


def multipart_post(client, url, data):
    """POST as a browser sends a form with a file. Encoded here, in memory: the test client would
    spool a large body to a temporary file that it never closes."""
    boundary, body = encode_multipart(data)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def post_with_image(desk, image, url="/desk/stories/new", **fields):
    token = csrf_token_from(desk.get("/desk/stories/new"))
    data = {"csrf_token": token, "lead_image_alt": "The new fab at dusk", "lead_image_caption": "Photo: Ada Lee",
            **story_data(desk, **fields)}
    if image is not None:
        data["lead_image"] = image
    return multipart_post(desk, url, data)


def phone_photo() -> bytes:
    """A phone's JPEG: held upright (EXIF orientation 6) and telling where it was taken."""
    return encoded(photo((1800, 1200)), "JPEG", exif=camera_exif(6).tobytes())


def test_a_phone_photo_is_shown_upright_in_every_size_without_its_location(app, desk, client):
    story = story_id(post_with_image(desk, upload(phone_photo()), action="publish"))
    page = soup(client.get(f"/articles/{story}/chipmaker-opens-a-new-fab"))
    figure = page.select_one("figure.lead-image")
    img = figure.select_one("img")
    assert (img["width"], img["height"]) == ("1200", "1800")  # upright: taller than wide
    assert img["alt"] == "The new fab at dusk"
    assert figure.select_one("figcaption").get_text() == "Photo: Ada Lee"
    assert img["sizes"] and figure.select_one("source")["sizes"] == img["sizes"]
    webp = figure.select_one("source[type='image/webp']")["srcset"]
    jpeg = img["srcset"]
    assert [w for w in re.findall(r" (\d+)w", jpeg)] == ["480", "800", "1200"]
    assert [w for w in re.findall(r" (\d+)w", webp)] == ["480", "800", "1200"]
    for url in [entry.split()[0] for entry in (jpeg + ", " + webp).split(", ")]:
        assert re.fullmatch(r"/media/\d{4}/[0-9a-f]{32}-\d+\.(jpg|webp)", url)  # named by content
        served = client.get(url)
        assert served.status_code == 200
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        image = opened(served.data)
        assert image.height > image.width
        assert not image.getexif() and b"GPS" not in served.data and b"Nosy Camera" not in served.data
    # Shared with the image: its largest JPEG, absolute, with its size.
    assert page.select_one("meta[property='og:image']")["content"] == "http://localhost" + img["src"]
    assert page.select_one("meta[property='og:image:width']")["content"] == "1200"
    assert page.select_one("meta[name='twitter:card']")["content"] == "summary_large_image"
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["image"] == [{"@type": "ImageObject", "url": "http://localhost" + img["src"], "width": 1200,
                              "height": 1800}]


@pytest.mark.parametrize(("data", "message"), [
    (b"<?php system($_GET['c']); ?>", "The lead image must be a JPEG, PNG or WebP file."),
    (encoded(Image.new("RGB", (40, 40)), "GIF"), "The lead image must be a JPEG, PNG or WebP file."),
    (png_claiming(10_000, 10_000), "The lead image is larger than 40 megapixels."),
    (b"\xff\xd8\xff" + b"\0" * MAX_BYTES, "The lead image is larger than 10 MB."),
])
def test_a_refused_file_is_a_form_error_that_keeps_the_text(app, desk, data, message):
    response = post_with_image(desk, upload(data), action="publish", body="My whole story, typed for an hour.")
    assert response.status_code == 400  # not a bare 413, even just over 10 MB
    page = soup(response)
    assert page.select_one("#lead_image-errors").get_text(strip=True) == message
    assert page.select_one("input#title")["value"] == "Chipmaker opens a new fab"
    assert "My whole story, typed for an hour." in page.select_one("textarea#body").get_text()
    assert page.select_one("input#lead_image_alt")["value"] == "The new fab at dusk"
    assert desk.get("/desk").status_code == 200 and "Chipmaker" not in desk.get("/desk").get_data(as_text=True)


def test_an_image_needs_its_description(app, desk):
    response = post_with_image(desk, upload(phone_photo()), action="draft", lead_image_alt="")
    assert response.status_code == 400
    assert "Describe the image" in soup(response).select_one("#lead_image_alt-errors").get_text()


def test_a_replaced_image_gets_a_new_address_and_a_removed_one_goes(app, desk, client):
    story = story_id(post_with_image(desk, upload(phone_photo()), action="publish"))
    article_url = f"/articles/{story}/chipmaker-opens-a-new-fab"
    first = soup(client.get(article_url)).select_one("figure.lead-image img")["src"]
    page = soup(desk.get(f"/desk/stories/{story}"))
    assert page.select_one(".desk-lead-image img")["src"] == first
    token = csrf_token_from(desk.get(f"/desk/stories/{story}"))
    replaced = multipart_post(desk, f"/desk/stories/{story}", {
        "csrf_token": token, **story_data(desk), "revision": page.select_one("input#revision")["value"],
        "action": "update", "lead_image": upload(encoded(photo((1000, 700)), "PNG"), "chart.png", "image/png"),
        "lead_image_alt": "A chart of chip prices", "lead_image_caption": ""})
    assert replaced.status_code == 303
    figure = soup(client.get(article_url)).select_one("figure.lead-image")
    assert figure.select_one("img")["src"] != first and figure.select_one("img")["src"].endswith(".png")
    assert figure.select_one("img")["alt"] == "A chart of chip prices"
    assert figure.select_one("figcaption") is None
    assert form_post(desk, story, action="update", remove_lead_image="y").status_code == 303
    page = soup(client.get(article_url))
    assert page.select_one("figure.lead-image") is None
    assert "/card-" in page.select_one("meta[property='og:image']")["content"]  # the drawn card instead


@pytest.mark.parametrize("action", ["draft", "schedule"])
def test_an_unpublished_storys_image_is_named_nowhere_public(app, desk, client, action):
    later = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    draft = story_id(post_with_image(desk, upload(phone_photo()), action=action, publish_at=later))
    names = re.findall(r"/media/[^\s\"']+", desk.get(f"/desk/stories/{draft}").get_data(as_text=True))
    assert names  # the desk shows it
    for url in ("/", "/feed.atom", "/sitemap.xml", "/sitemap-news.xml", f"/articles/{draft}/chipmaker-opens-a-new-fab"):
        text = client.get(url).get_data(as_text=True)
        assert not any(name in text for name in names), url
    # Only someone given the name can fetch it: 128 bits of the file's own hash.
    assert all(re.search(r"/[0-9a-f]{32}-\d+\.", name) for name in names)


def test_the_top_story_shows_its_image(app, desk, client):
    story = story_id(post_with_image(desk, upload(phone_photo()), action="publish", top_story="y"))
    lead = soup(client.get(f"/articles/{story}/chipmaker-opens-a-new-fab")).select_one("figure.lead-image img")
    top = soup(client.get("/")).select_one(".top-story img")
    assert (top["src"], top["width"], top["height"]) == (lead["src"], lead["width"], lead["height"])
    assert top["alt"] == ""  # beside its headline, which says what the link is


def test_with_a_bucket_the_files_go_there_and_pages_name_its_address(tmp_path, bucket, s3_endpoint, factory_for):
    app = make_app(tmp_path, MEDIA_BUCKET=bucket, MEDIA_BUCKET_ENDPOINT=s3_endpoint,
                   MEDIA_URL="https://media.example.net/lead")
    try:
        factory = factory_for(app)
        factory.user("editor@example.com", role="editor")
        desk = app.test_client()
        assert log_in(desk, "editor@example.com").status_code == 303
        desk.section, desk.ada = factory.section("Security"), factory.author("Ada Lee")
        story = story_id(post_with_image(desk, upload(phone_photo()), action="publish"))
        response = app.test_client().get(f"/articles/{story}/chipmaker-opens-a-new-fab")
        img = soup(response).select_one("figure.lead-image img")
        assert img["src"].startswith("https://media.example.net/lead/")
        assert "img-src 'self' data: https://media.example.net" in response.headers["Content-Security-Policy"]
        key = img["src"].removeprefix("https://media.example.net/lead/")
        with s3_client(s3_endpoint) as client:
            stored = client.get_object(Bucket=bucket, Key=key)
            assert stored["ContentType"] == "image/jpeg"
            assert stored["CacheControl"] == "public, max-age=31536000, immutable"
            assert not opened(stored["Body"].read()).getexif()
        assert not (tmp_path / "media").exists()  # nothing kept on the app server
    finally:
        app.extensions["media_storage"].client.close()
