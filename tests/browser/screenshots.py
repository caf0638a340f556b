"""`make screenshots`: the front page, an article and the desk at phone and desktop widths, in the
light and dark themes, into docs/screenshots/ (shown in the README).

    .venv/bin/python -m tests.browser.screenshots [--out docs/screenshots]

It builds a scratch database of demo content and an editor account in a temporary folder, serves
it as the browser tests do (tests/browser/conftest.py) and drives Debian's Chromium with the
tests' launch arguments. The demo's stories and the browser's clock are pinned to one moment, so
the pictures change only when the pages do. Each PNG is reduced to a 256-colour palette, which
keeps text sharp at a fraction of the size.
"""

import argparse
import io
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS, serve_demo
from .test_desk_browser import EDITOR, PASSWORD, make_editor

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
THEMES = ("light", "dark")
MOMENT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # the demo's "now", and the pages' clock


def optimised_png(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def sign_in(page, url):
    page.goto(url + "/login")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def take(browser, server, out: Path) -> list[Path]:
    with server.app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import Article, Status

        article_id = db.session.scalars(select(Article.id).where(Article.status == Status.published)
                                        .order_by(Article.published_at.desc())).first()
    shots = {"front": "/", "article": f"/articles/{article_id}", "desk": "/desk"}
    written = []
    for width_name, (width, height) in WIDTHS.items():
        for theme in THEMES:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_init_script(f"localStorage.setItem('portal.theme', '{theme}')")
            page = context.new_page()
            page.clock.set_fixed_time(MOMENT)
            for name, path in shots.items():
                if name == "desk":
                    sign_in(page, server.url)
                page.goto(server.url + path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{width_name}-{theme}.png"
                target.write_bytes(optimised_png(page.screenshot()))
                written.append(target)
            context.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-screenshots-") as scratch:
        scratch = Path(scratch)
        server = serve_demo(scratch, demo_now=MOMENT, SQLALCHEMY_DATABASE_URI=f"sqlite:///{scratch / 'demo.db'}")
        try:
            make_editor(server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                written = take(browser, server, args.out)
                browser.close()
        finally:
            server.stop()
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
