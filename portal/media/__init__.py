"""The desk's lead images: an upload checked and prepared (images), kept in a folder or a bucket
(storage) and served from /media/ (files); the social card and logo drawn for the site (cards)."""

from . import files
from .storage import media_url


def init_app(app):
    app.register_blueprint(files.bp)
    # Pages name stored files through it: this site's /media/ or the bucket's MEDIA_URL.
    app.jinja_env.globals["media_url"] = media_url
