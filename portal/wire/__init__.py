"""Other outlets' feeds in: `portal import-feed` and `portal poll-feeds`."""

from ..web.cli import add_commands
from .importer import import_feed, poll_feeds


def init_app(app):
    add_commands(app, import_feed, poll_feeds)
