"""`make screenshots` (tests/browser/screenshots.py): every picture the README shows is made, at
its width, from a scratch database, each a small palette PNG."""

import subprocess
import sys

from PIL import Image

from .screenshots import ROOT, THEMES, WIDTHS


def test_make_screenshots_takes_each_page_at_each_width_in_each_theme(browser, tmp_path):
    run = subprocess.run([sys.executable, "-m", "tests.browser.screenshots", "--out", str(tmp_path)],
                         check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    expected = {f"{page}-{width}-{theme}.png" for page in ("front", "article", "desk")
                for width in WIDTHS for theme in THEMES}
    assert {path.name for path in tmp_path.iterdir()} == expected
    for name in expected:
        with Image.open(tmp_path / name) as image:
            width = WIDTHS[name.split("-")[1]]
            assert image.size == width
            assert image.mode == "P"
            # Dark pages are mostly dark: the theme was applied.
            corner = image.convert("L").getpixel((width[0] // 2, width[1] - 5))
            assert (corner < 60) if "-dark" in name else (corner > 200)
    readme = (ROOT / "README.md").read_text()
    shown = [name for name in expected if f"docs/screenshots/{name}" in readme]
    assert shown, "the README shows the screenshots"
    assert all((ROOT / "docs" / "screenshots" / name).exists() for name in shown)
