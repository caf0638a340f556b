import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from flask import Flask, url_for

from portal.config import HTMX_CDN_URL, HTMX_SRI, HTMX_SSE_SRI, HTMX_SSE_VERSION, HTMX_VERSION
from portal.web import assets

from ..helpers import soup

STATIC = Path(__file__).resolve().parents[2] / "static"
VENDORED = STATIC / "vendor" / f"htmx-{HTMX_VERSION}.min.js"
VENDORED_SSE = STATIC / "vendor" / f"htmx-ext-sse-{HTMX_SSE_VERSION}.min.js"
YEAR = {"public", "max-age=31536000", "immutable"}
EVERY_TIME = {"public", "no-cache"}


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def cache_control(response) -> set[str]:
    return {d.strip() for d in response.headers["Cache-Control"].split(",")}


def csp(response) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";"))


def static_app(folder: Path) -> Flask:
    """A bare app serving `folder` the way the portal serves its own."""
    app = Flask(__name__, static_folder=folder)
    assets.init_app(app)
    return app


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


# ---- static files named by content ----------------------------------------------

def test_pages_name_static_files_by_their_content(client):
    page = soup(client.get("/"))
    assert page.select_one('link[rel="stylesheet"]')["href"] == \
        f"/static/css/site.{content_hash(STATIC / 'css/site.css')}.css"
    assert page.select_one('link[rel="icon"]')["href"] == f"/static/favicon.{content_hash(STATIC / 'favicon.svg')}.svg"
    scripts = [s["src"] for s in page.select("script[src]")]
    assert f"/static/js/site.{content_hash(STATIC / 'js/site.js')}.js" in scripts


def test_a_current_hash_is_kept_a_year_and_revalidated_by_its_hash(client):
    url = soup(client.get("/")).select_one('link[rel="stylesheet"]')["href"]
    digest = content_hash(STATIC / "css/site.css")

    with client.get(url) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert response.data == (STATIC / "css/site.css").read_bytes()
        assert cache_control(response) == YEAR
        assert response.headers["ETag"] == f'"{digest}"'  # strong, and not made of the file's time
        assert "Last-Modified" not in response.headers

    with client.get(url, headers={"If-None-Match": f'"{digest}"'}) as again:
        assert again.status_code == 304
        assert again.data == b""
        assert cache_control(again) == YEAR


@pytest.mark.parametrize("name", ["css/site.0123456789ab.css", "css/site.css"])
def test_a_stale_or_missing_hash_gets_the_current_file_checked_every_time(client, name):
    digest = content_hash(STATIC / "css/site.css")
    with client.get(f"/static/{name}") as response:
        assert response.status_code == 200
        assert response.data == (STATIC / "css/site.css").read_bytes()
        assert cache_control(response) == EVERY_TIME
        assert response.headers["ETag"] == f'"{digest}"'
        assert "Set-Cookie" not in response.headers
    with client.get(f"/static/{name}", headers={"If-None-Match": f'"{digest}"'}) as again:
        assert again.status_code == 304


def test_changing_a_file_changes_its_url_and_demotes_the_old_one(tmp_path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "site.css").write_text("body { color: black }")
    app = static_app(folder)
    client = app.test_client()
    old = static_url(app, "css/site.css")
    assert old == f"/static/css/site.{content_hash(folder / 'css/site.css')}.css"
    with client.get(old) as response:
        assert cache_control(response) == YEAR

    (folder / "css" / "site.css").write_text("body { color: darkslategray }")

    with client.get(old) as response:  # from a page rendered before the change
        assert response.data == b"body { color: darkslategray }"
        assert cache_control(response) == EVERY_TIME
    new = static_url(app, "css/site.css")
    assert new == f"/static/css/site.{content_hash(folder / 'css/site.css')}.css" != old
    with client.get(new) as response:
        assert response.data == b"body { color: darkslategray }"
        assert cache_control(response) == YEAR
    assert static_url(static_app(folder), "css/site.css") == new  # the next start-up agrees


def test_in_debug_mode_pages_name_a_changed_file_at_once(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "site.js").write_text("// one")
    app = static_app(folder)
    app.debug = True
    old = static_url(app, "site.js")
    (folder / "site.js").write_text("// two, saved in the editor")
    assert static_url(app, "site.js") == f"/static/site.{content_hash(folder / 'site.js')}.js" != old


def test_files_added_or_removed_after_start_up_are_found_or_gone(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "old.js").write_text("// old")
    app = static_app(folder)
    client = app.test_client()
    (folder / "new.js").write_text("// new")
    (folder / "old.js").unlink()

    with client.get(static_url(app, "new.js")) as response:
        assert response.data == b"// new"
        assert cache_control(response) == YEAR
    assert client.get("/static/old.js").status_code == 404


@pytest.mark.parametrize("path", [
    "/static/no-such.css", "/static/css/no-such.0123456789ab.css", "/static/css",
    "/static/../secret.txt", "/static/..%2fsecret.txt", "/static/%2e%2e/secret.txt",
    "/static/css/..%2f..%2fsecret.txt", "/static/secret.0123456789ab.txt",
])
def test_unknown_files_and_files_outside_the_folder_are_not_found(tmp_path, path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "site.css").write_text("body {}")
    (tmp_path / "secret.txt").write_text("not for readers")
    client = static_app(folder).test_client()
    with client.get(path) as response:
        assert response.status_code == 404
        assert b"not for readers" not in response.data


def test_an_after_request_hook_can_read_and_replace_a_static_body(tmp_path):
    """What a compressor does: the body is in memory, not a file left for the server to send."""
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "app.js").write_text("console.log('hello')")
    app = static_app(folder)
    seen = []

    @app.after_request
    def read_body(response):
        seen.append(response.get_data())
        response.set_data(response.get_data().upper())
        return response

    with app.test_client().get(static_url(app, "app.js")) as response:
        assert response.data == b"CONSOLE.LOG('HELLO')"
    assert seen == [b"console.log('hello')"]


def test_favicon_ico_redirects_to_the_svg_icon_for_a_day(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.location == f"/static/favicon.{content_hash(STATIC / 'favicon.svg')}.svg"
    assert cache_control(response) == {"public", "max-age=86400"}
    assert "Set-Cookie" not in response.headers
    with client.get(response.location) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.data == (STATIC / "favicon.svg").read_bytes()
    assert client.head("/favicon.ico").status_code == 301


# ---- htmx -------------------------------------------------------------------------

def test_pinned_sri_is_the_hash_of_the_vendored_file():
    assert HTMX_SRI == sri(VENDORED.read_bytes())
    assert HTMX_SSE_SRI == sri(VENDORED_SSE.read_bytes())


def test_live_lists_name_the_sse_extension_with_its_hash(client, factory):
    factory.story()
    wrapper = soup(client.get("/")).select_one(".live-stream")
    assert wrapper["data-hx-ext"] == "sse"
    assert wrapper["data-sse-integrity"] == HTMX_SSE_SRI
    assert wrapper["data-sse-src"] == f"/static/vendor/htmx-ext-sse-{HTMX_SSE_VERSION}.min.{content_hash(VENDORED_SSE)}.js"
    assert wrapper.select_one("#new-stories") is not None
    assert HTMX_VERSION.startswith("2.0.")
    assert f"htmx.org@{HTMX_VERSION}/" in HTMX_CDN_URL


def test_by_default_htmx_is_the_vendored_copy_deferred(client):
    response = client.get("/")
    scripts = soup(response).select("script[src]")
    (htmx,) = [s for s in scripts if "htmx" in s["src"]]
    assert htmx["src"] == f"/static/vendor/htmx-{HTMX_VERSION}.min.{content_hash(VENDORED)}.js"
    assert htmx.has_attr("defer")
    assert not [s for s in scripts if s["src"].startswith("http")]
    with client.get(htmx["src"]) as served:
        assert served.data == VENDORED.read_bytes()
    # Nothing may run or be fetched from another origin.
    assert csp(response)["script-src"] == "'self'"
    assert csp(response)["connect-src"] == "'self'"
    assert "jsdelivr" not in response.headers["Content-Security-Policy"]


def test_cdn_mode_loads_htmx_through_a_same_origin_loader(app, client):
    app.config["HTMX_CDN"] = True
    response = client.get("/")
    scripts = soup(response).select("script[src]")
    # No script tag for the CDN in the page: one that hung would hold the page up.
    assert not [s for s in scripts if s["src"].startswith("http")]
    (loader,) = [s for s in scripts if "htmx" in s["src"]]
    assert loader["src"] == f"/static/js/htmx-loader.{content_hash(STATIC / 'js/htmx-loader.js')}.js"
    assert loader.has_attr("async")
    assert loader["data-cdn-src"] == HTMX_CDN_URL
    assert loader["data-integrity"] == sri(VENDORED.read_bytes())
    assert loader["data-vendored-src"] == f"/static/vendor/htmx-{HTMX_VERSION}.min.{content_hash(VENDORED)}.js"
    # The pinned file only: the CDN serves any npm package's files from the same origin.
    assert csp(response)["script-src"] == f"'self' {HTMX_CDN_URL}"
    assert csp(response)["connect-src"] == f"'self' {HTMX_CDN_URL}"


def test_vendored_htmx_is_byte_identical_to_the_npm_package(tmp_path):
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("npm is needed in CI to check the vendored htmx against its package")
        pytest.skip("npm is not installed")
    subprocess.run([npm, "pack", f"htmx.org@{HTMX_VERSION}", "--silent"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=120)
    with tarfile.open(tmp_path / f"htmx.org-{HTMX_VERSION}.tgz") as archive:
        published = archive.extractfile("package/dist/htmx.min.js").read()
    assert VENDORED.read_bytes() == published
    subprocess.run([npm, "pack", f"htmx-ext-sse@{HTMX_SSE_VERSION}", "--silent"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=120)
    with tarfile.open(tmp_path / f"htmx-ext-sse-{HTMX_SSE_VERSION}.tgz") as archive:
        assert VENDORED_SSE.read_bytes() == archive.extractfile("package/dist/sse.min.js").read()
