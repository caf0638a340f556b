"""Running the site: health checks, the request log, proxies, the schema and backups."""

from ..web.cli import add_commands
from . import health
from .backup import backup
from .cli import COMMANDS


def init_app(app):
    health.init_app(app)
    add_commands(app, *COMMANDS, backup)
