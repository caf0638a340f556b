"""Full-text search over published stories: `/search?q=`."""

from . import core


def init_app(app):
    app.register_blueprint(core.bp)
