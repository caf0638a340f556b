"""The wheel alone carries the site: built from a clean copy of the checkout and installed into a
fresh virtualenv, it makes its database under ./instance of a folder outside the checkout, loads
the demo, and gunicorn serves the front page and its stylesheet."""

import os
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .test_serving import free_port

PROJECT = Path(__file__).resolve().parents[2]
# Where the wheel puts the checkout's top-level folders (pyproject.toml's package-dir).
MAPPED = {"templates/": "portal/templates/", "static/": "portal/static/", "migrations/": "portal/migrations/"}

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PORTAL_TEST_DATABASE_URL")),
    reason="the wheel is built and served once a CI run, in the SQLite pass: the packaged site makes "
           "its own SQLite database, so the PostgreSQL pass would only repeat it")


def run(*command, cwd, env=None, timeout=120):
    result = subprocess.run([str(c) for c in command], check=False, cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def source_files() -> list[str]:
    """What a fresh clone of this working tree would hold: the files git tracks or would add
    (not build/, instance/ or caches, which .gitignore names)."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=PROJECT)
    return sorted(p for p in set(listed.split("\0")) if p and (PROJECT / p).is_file())


def in_wheel(path: str) -> str | None:
    if path.startswith("portal/"):
        return path
    return next((path.replace(top, inside, 1) for top, inside in MAPPED.items() if path.startswith(top)), None)


def site_environment() -> dict:
    """The caller's environment without the settings or paths that could point the site elsewhere."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("PORTAL_", "FLASK_")) and k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}


def test_the_wheel_installs_and_serves_the_site_outside_the_checkout(tmp_path):
    files = source_files()
    source = tmp_path / "source"
    for path in files:
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_bytes((PROJECT / path).read_bytes())
    # The test extra's setuptools builds it: nothing is downloaded while the suite runs.
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir",
        tmp_path / "dist", source, cwd=tmp_path, timeout=300)
    [wheel] = (tmp_path / "dist").glob("portal-*.whl")

    # Every module, template, static file, migration and data file of the checkout, and nothing else.
    shipped = {name for name in zipfile.ZipFile(wheel).namelist() if not name.startswith("portal-")}
    expected = {in_wheel(p) for p in files if in_wheel(p)}
    assert sorted(expected - shipped) == [], "missing from the wheel: see pyproject.toml's packages and globs"
    assert sorted(shipped - expected) == [], "in the wheel but not in the checkout"

    # A virtualenv of its own holds the portal; the dependencies pyproject.toml names are those this
    # test runs with (added to its path by a .pth file, so no network is needed). A path in a .pth
    # file is not a site directory: the editable install's own .pth there, the one that maps
    # `portal` to the checkout, is never read.
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel,
        cwd=tmp_path)
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                             cwd=tmp_path).strip())
    dependencies = dict.fromkeys(sysconfig.get_path(kind) for kind in ("purelib", "platlib"))
    (site_packages / "dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies))

    site = tmp_path / "site"
    site.mkdir()
    env = site_environment()
    flask = [python, "-m", "flask", "--app", "portal:create_app", "portal"]
    run(*flask, "init-db", cwd=site, env=env)
    run(*flask, "demo", "--articles", "12", cwd=site, env=env)
    assert (site / "instance" / "portal.db").is_file()
    assert (site / "instance" / "secret_key").is_file()
    folders = run(python, "-c", "from portal import create_app; app = create_app(); "
                  "print(app.template_folder, app.static_folder, app.extensions['migrate'].directory)",
                  cwd=site, env=env).split()
    assert all(Path(folder).is_relative_to(site_packages / "portal") for folder in folders), folders

    port = free_port()
    server = subprocess.Popen([python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                               "portal:create_app()"], cwd=site, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while server.poll() is None and time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        with urllib.request.urlopen(base + "/", timeout=5) as response:
            assert response.status == 200
            page = BeautifulSoup(response.read(), "html.parser")
        assert len(page.select(".story-title a")) == 12
        stylesheet = page.select_one('link[rel="stylesheet"]')["href"]
        assert stylesheet.startswith("/static/")
        with urllib.request.urlopen(base + stylesheet, timeout=5) as response:
            assert response.status == 200
            assert response.headers.get_content_type() == "text/css"
            assert b".story-title" in response.read()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
        print(output)  # shown when the test fails
    assert server.returncode == 0
