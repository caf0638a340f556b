"""Images the site draws itself: the social card (og:image, 1200x630) of a story without a lead
image, and the publisher logo of its JSON-LD (600x60).

The card shows the section, the headline (bold, as large as fits, at most five lines, an ellipsis
after that) and the site's name, in DejaVu Sans (data/, Bitstream Vera licence in
data/DejaVu-LICENSE.txt). DejaVu draws Latin, Greek, Cyrillic, Armenian, Georgian and the basics
of Hebrew and Arabic; right-to-left text is ordered and Arabic joined only when Pillow has libraqm
(with FriBiDi), else its letters come out unjoined, left to right. Scripts it has no glyphs for
(Chinese, Japanese, Korean, Devanagari and the other Indic scripts, Thai, ...) come out as empty
boxes: such a headline gets a card of boxes, not its words.
"""

import hashlib
import io
import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DATA = Path(__file__).parent / "data"
BOLD = DATA / "DejaVuSans-Bold.ttf"
REGULAR = DATA / "DejaVuSans.ttf"
# Part of the fingerprint: change it with the drawing, so every card gets a new URL.
CARD_DESIGN = 1

CARD_SIZE = WIDTH, HEIGHT = 1200, 630
MARGIN = 72
SLATE = (28, 35, 43)  # the card's background, the logo's ink
PAPER = (246, 244, 239)  # the card's ink, the logo's background
MUTED = (150, 160, 170)
ACCENT = (214, 69, 51)
# The headline's box: nothing of it is drawn outside. The footer (a rule, the site's name) below.
HEADLINE_BOX = (MARGIN, 150, WIDTH - MARGIN, 500)
FOOTER_TOP = 530
HEADLINE_SIZES = range(76, 39, -4)  # pixels, largest first
MAX_LINES = 5
# Five lines at the smallest size never hold more: longer text costs measuring and is never seen.
SHOWN_CHARACTERS = 400
ELLIPSIS = "\u2026"

LOGO_SIZE = 600, 60


def card_fingerprint(headline: str, section: str, site_name: str) -> str:
    """16 hex that change whenever the card's picture would: for its URL, kept by caches."""
    shown = json.dumps([CARD_DESIGN, headline, section, site_name], ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def logo_fingerprint(site_name: str) -> str:
    """As card_fingerprint, for the logo: a renamed site gets a new logo URL."""
    return card_fingerprint("", "logo", site_name)


def social_card_png(headline: str, section: str, site_name: str) -> bytes:
    card = Image.new("RGB", CARD_SIZE, SLATE)
    draw = ImageDraw.Draw(card)
    left, top, right, _bottom = HEADLINE_BOX
    draw.rectangle((left, 64, left + 96, 71), fill=ACCENT)
    label = ImageFont.truetype(BOLD, 30)
    draw.text((left, 92), _fit_line(section.upper(), label, right - left), font=label, fill=ACCENT)

    size, lines = headline_layout(headline)
    font = ImageFont.truetype(BOLD, size)
    for number, line in enumerate(lines):
        draw.text((left, top + number * _line_height(font)), line, font=font, fill=PAPER)

    draw.line((left, FOOTER_TOP, right, FOOTER_TOP), fill=MUTED, width=2)
    footer = ImageFont.truetype(REGULAR, 30)
    draw.text((left, FOOTER_TOP + 26), _fit_line(site_name, footer, right - left), font=footer, fill=MUTED)
    return _png(card)


def headline_layout(headline: str) -> tuple[int, list[str]]:
    """The largest size at which the headline fits its box, and its lines; at the smallest size,
    the lines that fit, the last ending in an ellipsis."""
    left, top, right, bottom = HEADLINE_BOX
    text = " ".join(headline[:SHOWN_CHARACTERS].split())
    for size in HEADLINE_SIZES:
        font = ImageFont.truetype(BOLD, size)
        lines = _wrap(text, font, right - left)
        room = min(MAX_LINES, (bottom - top) // _line_height(font))
        if len(lines) <= room:
            return size, lines
    shown = lines[:room]
    shown[-1] = _fit_line(f"{shown[-1]} {lines[room]}", font, right - left, force_ellipsis=True)
    return size, shown


def site_logo_png(site_name: str) -> bytes:
    """The site's name as a wordmark, for JSON-LD's publisher.logo (Google's 600x60 box)."""
    width, height = LOGO_SIZE
    logo = Image.new("RGB", LOGO_SIZE, PAPER)
    draw = ImageDraw.Draw(logo)
    draw.rectangle((0, 0, 11, height - 1), fill=ACCENT)
    font = ImageFont.truetype(BOLD, 38)
    draw.text((28, height // 2), _fit_line(site_name, font, width - 40), font=font, fill=SLATE, anchor="lm")
    return _png(logo)


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap; a word wider than the line (a long URL, a script written without spaces)
    is broken where it must be."""
    lines, line = [], ""
    for word in text.split(" ") if text else ():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:
            cut = _longest_prefix(word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _fit_line(text: str, font: ImageFont.FreeTypeFont, width: int, force_ellipsis: bool = False) -> str:
    """The text if it fits on one line, else as many whole words (or, for one word, characters)
    as fit before an ellipsis; `force_ellipsis` for text that goes on beyond this line."""
    if not force_ellipsis and font.getlength(text) <= width:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        if font.getlength(" ".join(words) + ELLIPSIS) <= width:
            return " ".join(words) + ELLIPSIS
    word = words[0]
    kept = len(word)
    while kept and font.getlength(word[:kept] + ELLIPSIS) > width:
        kept -= 1
    return word[:kept] + ELLIPSIS


def _longest_prefix(text: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    """How many of text's first characters fit in width (at least one, so wrapping moves on)."""
    cut = 1
    while cut < len(text) and font.getlength(text[: cut + 1]) <= width:
        cut += 1
    return cut


def _png(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
