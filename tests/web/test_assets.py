import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from portal.config import HTMX_CDN_URL, HTMX_SRI, HTMX_VERSION

from ..helpers import soup

VENDORED = Path(__file__).resolve().parents[2] / "static" / "vendor" / f"htmx-{HTMX_VERSION}.min.js"


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def test_pinned_sri_is_the_hash_of_the_vendored_file():
    assert HTMX_SRI == sri(VENDORED.read_bytes())
    assert HTMX_VERSION.startswith("2.0.")
    assert f"htmx.org@{HTMX_VERSION}/" in HTMX_CDN_URL


def test_development_serves_only_the_vendored_htmx(client):
    scripts = [s["src"] for s in soup(client.get("/")).select("script[src]")]
    assert f"/static/vendor/htmx-{HTMX_VERSION}.min.js" in scripts
    assert not [s for s in scripts if s.startswith("http")]
    with client.get(f"/static/vendor/htmx-{HTMX_VERSION}.min.js") as served:
        assert served.data == VENDORED.read_bytes()


def test_cdn_mode_loads_the_pinned_cdn_with_sri_and_a_same_origin_fallback(app, client):
    app.config["HTMX_CDN"] = True
    response = client.get("/")
    scripts = soup(response).select("script[src]")
    cdn, fallback = scripts[0], scripts[1]
    assert cdn["src"] == HTMX_CDN_URL
    assert cdn["integrity"] == sri(VENDORED.read_bytes())
    assert cdn["crossorigin"] == "anonymous"
    assert fallback["src"] == "/static/js/htmx-fallback.js"
    assert fallback["data-fallback-src"] == f"/static/vendor/htmx-{HTMX_VERSION}.min.js"
    csp = dict(d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";"))
    # The pinned file only: the CDN serves any npm package's files from the same origin.
    assert csp["script-src"] == f"'self' {HTMX_CDN_URL}"


def test_without_the_cdn_no_cdn_is_allowed_to_run_scripts(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "jsdelivr" not in csp and "https:" not in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"


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
