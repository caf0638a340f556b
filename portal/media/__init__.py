"""The desk's lead images: an upload checked and prepared (images), kept in a folder or a bucket
(storage) and served from /media/ (files); the social card and logo drawn for the site (cards)."""

from . import files


def init_app(app):
    app.register_blueprint(files.bp)
