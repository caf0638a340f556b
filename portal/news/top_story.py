"""The front page's top story, shown above its list: rendered once for each content version in
this process (the desk's choice, and its end after 24 hours, move the version on), so the front
page pays no statement for it but when the news changes."""

from flask import current_app, render_template
from markupsafe import Markup

from ..web.pagecache import content_version
from .queries import top_story

_KEPT = "portal.kept_top_story"


def top_story_block() -> Markup:
    """The top story's block, or nothing when there is none."""
    version = content_version()
    kept = current_app.extensions.get(_KEPT)
    if kept is None or kept[0] != version:
        # Read after the version, so what is kept is never older than the version it is kept for.
        article = top_story()
        block = Markup(render_template("news/_top_story.html", article=article)) if article else Markup("")
        kept = current_app.extensions[_KEPT] = (version, block)
    return kept[1]
