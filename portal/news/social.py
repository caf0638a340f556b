"""What other sites show when a reader shares a story: its image (the lead image, or a card drawn
with its headline, section and the site's name) and the publisher's logo, for og:image,
twitter:card and the JSON-LD. A card's URL carries a fingerprint of what it shows, so a corrected
headline gets a new card while the old URL stays cacheable for a year."""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, make_response, request

from ..media.cards import CARD_SIZE, card_fingerprint, logo_fingerprint, site_logo_png, social_card_png
from ..media.storage import absolute_media_url
from ..web.cache import LocalCache, cached_bytes
from ..web.pagecache import reader_page
from ..web.urls import absolute_url
from .models import Article
from .queries import get_published_article

bp = Blueprint("social", __name__)

YEAR = 31_536_000
SHARED_TTL = 7 * 86_400  # seconds a card stays in Redis for the other workers
rendered = LocalCache(128)


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int
    alt: str


def share_image(article: Article) -> ShareImage:
    """The image that stands for the story on other sites."""
    lead = article.lead
    if lead is not None:
        return ShareImage(lead.src(absolute_media_url), lead.width, lead.height, article.lead_image_alt or "")
    site = current_app.config["SITE_NAME"]
    fingerprint = card_fingerprint(article.title, article.section.name, site)
    return ShareImage(absolute_url("social.card", article_id=article.id, fingerprint=fingerprint),
                      *CARD_SIZE, f"{article.title} ({article.section.name}, {site})")


def publisher_logo_url() -> str:
    return absolute_url("social.logo", fingerprint=logo_fingerprint(current_app.config["SITE_NAME"]))


def _image(png: bytes, etag: str):
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.set_etag(etag)
    return response.make_conditional(request)


@bp.get("/articles/<int:article_id>/card-<fingerprint>.png")
# Cards are kept by fingerprint below; the page store would keep one per content version.
@reader_page(same_for_everyone=True, shared=False)
def card(article_id, fingerprint):
    article = get_published_article(article_id) or abort(404)
    site = current_app.config["SITE_NAME"]
    if fingerprint != card_fingerprint(article.title, article.section.name, site):
        abort(404)  # a card of what the story said before a correction
    png = cached_bytes(rendered, f"card:{fingerprint}",
                       lambda: social_card_png(article.title, article.section.name, site), SHARED_TTL)
    return _image(png, fingerprint)


@bp.get("/publisher-logo-<fingerprint>.png")
@reader_page(same_for_everyone=True)
def logo(fingerprint):
    site = current_app.config["SITE_NAME"]
    if fingerprint != logo_fingerprint(site):
        abort(404)
    png = cached_bytes(rendered, f"logo:{fingerprint}", lambda: site_logo_png(site))
    return _image(png, fingerprint)
