"""Article pages at /articles/<id>/<slug>."""

from flask import Blueprint, abort, current_app, redirect, render_template, url_for

from ..web.filters import iso, local_time
from ..web.pagecache import reader_page
from ..web.urls import absolute_url
from .lists import day_values
from .marks import reader_state
from .models import Article
from .queries import (
    corrections_of,
    get_published_article,
    get_withdrawn_article,
    newest_stories,
    published_stories,
)
from .quotes import QUOTE_MAX
from .rows import reading_state
from .share import embed_html, page_qr_url, share_url
from .social import publisher_logo_url, share_image

bp = Blueprint("articles", __name__, url_prefix="/articles")

MORE_FROM_SECTION = 5


@bp.get("/<int:article_id>/", defaults={"slug": None}, strict_slashes=False)
@bp.get("/<int:article_id>/<slug>")
@reader_page()
def show(article_id, slug):
    article = get_published_article(article_id)
    if article is None:
        withdrawn = get_withdrawn_article(article_id) or abort(404)
        # Gone on purpose, and said why: not a bare 404 (search engines drop it, readers learn why).
        return render_template("news/withdrawn.html", article=withdrawn), 410
    if slug != article.slug:
        return redirect(url_for("articles.show", **article.url_values), code=301)
    # One extra row, so the list still has five after leaving this story out.
    nearby = newest_stories(published_stories(section_id=article.section_id), MORE_FROM_SECTION + 1)
    more = [story for story in nearby if story.id != article.id][:MORE_FROM_SECTION]
    canonical = absolute_url("articles.show", **article.url_values)
    reader = reader_state([article.id, *(story.id for story in more)])
    image = share_image(article)
    return render_template(
        "news/article.html",
        article=article,
        more=more,
        canonical=canonical,
        share_image=image,
        json_ld=news_article_json_ld(article, canonical, image),
        corrections=corrections_of(article),
        # The byline's date leads to the archive of its day, as the newsroom's clock had it.
        day_url=url_for("feed.day", **day_values(local_time(article.published_at).date())),
        share_url=share_url(article),
        embed_html=embed_html(article),
        qr_url=page_qr_url(article),
        quote_max=QUOTE_MAX,
        saved_ids=reader.saved_ids,
        read_ids=reader.read_ids,
        reading=reading_state(reader),
        signed_in=reader.signed_in,
        # Where a reader who saves a story without JavaScript comes back to.
        here=url_for("articles.show", **article.url_values),
    )


def news_article_json_ld(article: Article, canonical: str, image) -> dict:
    site = current_app.config["SITE_NAME"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "url": canonical,
        "mainEntityOfPage": canonical,
        "datePublished": iso(article.published_at),
        "dateModified": iso(article.modified_at),
        "articleSection": article.section.name,
        "author": [
            {"@type": "Person", "name": a.name, "url": absolute_url("feed.author", slug=a.slug)}
            for a in article.authors
        ],
        "image": [{"@type": "ImageObject", "url": image.url, "width": image.width, "height": image.height}],
        "publisher": {"@type": "Organization", "name": site, "url": absolute_url("feed.index"),
                      "logo": {"@type": "ImageObject", "url": publisher_logo_url()}},
    }
    if article.source_url:
        data["isBasedOn"] = article.source_url
    return data
