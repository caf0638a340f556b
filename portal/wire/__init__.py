"""Other outlets' feeds in: `portal import-feed` and `portal poll-feeds`.

Each entry of a feed (RSS 2.0, Atom or JSON Feed, from a URL or a file) becomes a published
roundup linking out to the original: fetch.py reads the source, parsers.py reads the feed,
text.py keeps plain text of its markup, importer.py publishes the new entries, cli.py holds the
commands.
"""

from ..web.cli import add_commands
from .cli import COMMANDS


def init_app(app):
    add_commands(app, *COMMANDS)
