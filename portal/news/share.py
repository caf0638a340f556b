"""Short share links (/s/<code>) and the QR code of an article's share link, as SVG or PNG.

The QR endpoints are made to be embedded by other sites: any origin may load them, browsers and
CDNs keep them a day and then revalidate (a year when the URL names the current renderer, as this
site's own pages do: the image depends only on the share URL, the options and the renderer), and
a bounded in-process cache keeps repeated requests from rendering again. Only the
default renderings, the ones article pages and embeds show, are shared between workers through
Redis, and for days: every other option set is a variant anyone can mint by the thousand, which
must not fill a shared server.
"""

import functools
import hashlib
import io
import re
import string
from dataclasses import dataclass

import PIL
import segno
from flask import Blueprint, abort, make_response, redirect, request, url_for
from markupsafe import escape
from PIL import Image

from ..web.assets import PINNED
from ..web.cache import LocalCache, cached_bytes
from ..web.pagecache import reader_page
from ..web.urls import absolute_url
from .queries import get_published_article

bp = Blueprint("share", __name__)

BASE62 = string.digits + string.ascii_lowercase + string.ascii_uppercase
MAX_CODE_LENGTH = 11  # 62**11 is beyond any id a database hands out

# Bump whenever render_qr() draws differently: it is in the ETag, which is also the cache key, so
# no cache here serves the old drawing and a browser or CDN that revalidates gets the new one; and
# article pages name it in the image's URL (?v=), which their readers' browsers keep a year.
RENDERER_VERSION = 2
SIZE_RANGE = range(64, 2049)
MIN_MODULE_PIXELS = 2  # below this phone cameras can't tell the modules apart
BORDER_RANGE = range(9)
DEFAULT_SIZE = 256
DEFAULT_BORDER = 4  # the quiet zone the QR standard asks for
COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
ERROR_LEVELS = ("L", "M", "Q", "H")
# Cameras binarise by brightness: dark modules must be darker than the background, by at least
# WCAG's ratio for text (what QR makers recommend; 3:1 holds only in good light).
MIN_CONTRAST = 4.5
QR_CACHE_SIZE = 1024
rendered_images = LocalCache(QR_CACHE_SIZE)
# Named with the current renderer (?v=, as this site's pages name it), an image never changes: it
# is PINNED, a year, as static files are. Without (embeds on other sites) it may, when the renderer
# does: revalidated after a day.
REVALIDATED_DAILY = "public, max-age=86400"
SHARED_TTL = 7 * 86_400  # seconds a default rendering stays in Redis
MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


# ---- short links ---------------------------------------------------------------

def share_code(article_id: int) -> str:
    """base62 of the id (0-9, a-z, A-Z): /s/1D is article 101."""
    digits = []
    while True:
        article_id, remainder = divmod(article_id, 62)
        digits.append(BASE62[remainder])
        if article_id == 0:
            return "".join(reversed(digits))


def article_id_from_code(code: str) -> int | None:
    """The article a code names; None for anything that share_code() would not have made."""
    if not code or len(code) > MAX_CODE_LENGTH or any(c not in BASE62 for c in code):
        return None
    if len(code) > 1 and code[0] == "0":
        return None  # one code per article: no leading zeros
    value = 0
    for c in code:
        value = value * 62 + BASE62.index(c)
    return value


def share_url(article) -> str:
    return absolute_url("share.short_link", code=share_code(article.id))


def page_qr_url(article) -> str:
    """The QR image this site's article page shows: named with the renderer's version, so it is
    kept a year, and a new renderer is a new URL for every reader's browser."""
    return url_for("share.qr_image", article_id=article.id, kind="svg", v=RENDERER_VERSION)


def embed_html(article) -> str:
    """The HTML another site pastes to show the story's QR code, linked to the story."""
    image = absolute_url("share.qr_image", article_id=article.id, kind="svg")
    return (f'<a href="{escape(share_url(article))}"><img src="{escape(image)}" width="200" height="200" '
            f'alt="{escape("QR code: " + article.title)}"></a>')


@bp.get("/s/<code>")
def short_link(code):
    article_id = article_id_from_code(code)
    article = get_published_article(article_id) if article_id is not None else None
    if article is None:
        abort(404)
    return redirect(url_for("articles.show", **article.url_values), code=301)


# ---- QR images ---------------------------------------------------------------------

@dataclass(frozen=True)
class QrOptions:
    size: int = DEFAULT_SIZE
    border: int = DEFAULT_BORDER
    dark: str = "#000000"
    light: str | None = "#ffffff"  # None: transparent
    ecc: str = "M"


class BadOption(ValueError):
    """A query-string option that is unknown or out of range; its message is shown to the caller."""


def _full_colour(value: str) -> str:
    value = value.lower()
    if len(value) == 4:  # #rgb
        value = "#" + "".join(c * 2 for c in value[1:])
    return value


def parse_options(args) -> QrOptions:
    """The options from a query string, each checked and bounded; BadOption says what is wrong.
    `v`, the renderer a URL names, is checked here too: it changes only how long the image is kept."""
    values = {}
    for name in args:
        if name not in ("size", "border", "dark", "light", "ecc", "v"):
            raise BadOption(f"Unknown option “{name}”: use size, border, dark, light or ecc.")
        given = args.getlist(name)
        if len(given) > 1:
            raise BadOption(f"Give “{name}” once.")
        values[name] = given[0].strip()

    if "v" in values and not (values["v"].isascii() and values["v"].isdigit()):
        raise BadOption("v must be a renderer version, a whole number.")
    options = {}
    if "size" in values:
        size = values["size"]
        if not (size.isascii() and size.isdigit()) or int(size) not in SIZE_RANGE:
            raise BadOption(f"size must be a whole number of pixels from {SIZE_RANGE.start} to {SIZE_RANGE.stop - 1}.")
        options["size"] = int(size)
    if "border" in values:
        border = values["border"]
        if not (border.isascii() and border.isdigit()) or int(border) not in BORDER_RANGE:
            raise BadOption(f"border must be a whole number of modules from 0 to {BORDER_RANGE.stop - 1}.")
        options["border"] = int(border)
    if "dark" in values:
        if not COLOUR.fullmatch(values["dark"]):
            raise BadOption("dark must be a colour written #rgb or #rrggbb.")
        options["dark"] = _full_colour(values["dark"])
    if "light" in values:
        light = values["light"]
        if light.lower() == "transparent":
            options["light"] = None
        elif COLOUR.fullmatch(light):
            options["light"] = _full_colour(light)
        else:
            raise BadOption("light must be a colour written #rgb or #rrggbb, or transparent.")
    if "ecc" in values:
        ecc = values["ecc"].upper()
        if ecc not in ERROR_LEVELS:
            raise BadOption("ecc must be L, M, Q or H.")
        options["ecc"] = ecc
    parsed = QrOptions(**options)
    check_contrast(parsed.dark, parsed.light)
    return parsed


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour: 0 for black, 1 for white."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def check_contrast(dark: str, light: str | None) -> None:
    """Refuse colours a phone would not read: inverted (light modules on a dark ground) or too
    alike. A transparent code is read against the page behind it, taken to be white."""
    ground = light or "#ffffff"
    dark_luminance, ground_luminance = relative_luminance(dark), relative_luminance(ground)
    if dark_luminance >= ground_luminance:
        against = "a white page (light=transparent)" if light is None else "light"
        raise BadOption(f"dark must be darker than {against}: phone cameras look for dark modules on a light ground.")
    ratio = (ground_luminance + 0.05) / (dark_luminance + 0.05)
    if ratio < MIN_CONTRAST:
        raise BadOption(f"dark and light are too alike for phone cameras: their contrast is {ratio:.2f}:1, "
                        f"and it must be at least {MIN_CONTRAST}:1.")


def image_width(size: int, modules: int) -> int:
    """The image's width and height in pixels: `size`, or the code's modules (its border included)
    at MIN_MODULE_PIXELS each when `size` is smaller than that."""
    return max(size, MIN_MODULE_PIXELS * modules)


@functools.lru_cache(maxsize=256)
def encode(url: str, ecc: str) -> segno.QRCode:
    """The code of a URL, kept: encoding (choosing the best of segno's masks) is most of a render's
    time, and one story's code is drawn at several sizes and in both formats."""
    return segno.make(url, error=ecc, boost_error=False)


def render_qr(url: str, options: QrOptions, kind: str) -> bytes:
    """The QR image of a URL, exactly image_width() pixels square (segno draws it, Pillow sizes the PNG)."""
    qr = encode(url, options.ecc)
    modules = qr.symbol_size(border=options.border)[0]
    width = image_width(options.size, modules)
    colours = {"border": options.border, "dark": options.dark, "light": options.light}
    out = io.BytesIO()
    if kind == "svg":
        # Drawn in modules (a viewBox) and shown `width` pixels wide; crisp edges keep a module's
        # pixels one colour when it isn't a whole number of them.
        qr.save(out, kind="svg", omitsize=True, xmldecl=False, svgclass=None, lineclass=None, **colours)
        size = f'<svg width="{width}" height="{width}" shape-rendering="crispEdges" '.encode()
        return out.getvalue().replace(b"<svg ", size, 1)
    # One pixel a module, enlarged by nearest neighbour: each module is a block of whole pixels
    # (width / modules, rounded down or up), so the code fills the size asked and stays sharp.
    qr.save(out, kind="png", scale=1, **colours)
    one_to_one = Image.open(io.BytesIO(out.getvalue()))
    enlarged = one_to_one.resize((width, width), Image.Resampling.NEAREST)
    out = io.BytesIO()
    enlarged.save(out, format="PNG")  # its info, so a transparent light colour, comes from segno's
    return out.getvalue()


def image_etag(url: str, options: QrOptions, kind: str) -> str:
    """What the image's bytes depend on, hashed: the renderer and the libraries that draw it too."""
    fingerprint = f"{RENDERER_VERSION}|{segno.__version__}|{PIL.__version__}|{kind}|{url}|{options}"
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]


@bp.get("/articles/<int:article_id>/qr.<any(svg, png):kind>")
# Options make variants by the thousand: stored pages stay in this process (the default images
# are shared through Redis by the view itself).
@reader_page(same_for_everyone=True, shared=False)
def qr_image(article_id, kind):
    try:
        options = parse_options(request.args)
    except BadOption as problem:
        return plain_error(str(problem), 400)
    article = get_published_article(article_id)
    if article is None:
        return plain_error("No published article has that number.", 404)
    # The share URL carries PORTAL_PUBLIC_URL or this request's host, so the cache key and the
    # ETag do too: a forged Host header only ever gets an image of its own URL.
    url = share_url(article)
    etag = image_etag(url, options, kind)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        # The ETag names exactly what the image depends on, so it is the cache key too.
        shared_ttl = SHARED_TTL if options == QrOptions() else None
        image = cached_bytes(rendered_images, f"qr:{etag}", lambda: render_qr(url, options, kind), shared_ttl)
        response = make_response(image)
        response.headers["Content-Type"] = MEDIA_TYPES[kind]
    response.set_etag(etag)
    pinned = request.args.get("v", "").strip() == str(RENDERER_VERSION)
    response.headers["Cache-Control"] = PINNED if pinned else REVALIDATED_DAILY
    embeddable(response)
    return response


def plain_error(message: str, code: int):
    response = make_response(message + "\n", code)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return embeddable(response)


def embeddable(response):
    """Any site may show the image (<img>, fetch, canvas)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
