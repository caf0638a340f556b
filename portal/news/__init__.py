"""The news itself: stories and their lists, article pages, live notices, share links and feeds."""

from ..web.pagecache import supply_content_version
from . import articles, feed, kept_lists, live, quotes, reports, rows, share, social, syndication
from .menu import nav_sections
from .version import read_version


def init_app(app):
    for blueprint in (feed.bp, articles.bp, reports.bp, share.bp, quotes.bp, social.bp, live.bp, syndication.bp):
        app.register_blueprint(blueprint)
    app.add_template_global(nav_sections)
    supply_content_version(app, read_version)
    rows.init_app(app)
    kept_lists.init_app(app)
