"""Demo content for development and benchmarks: `portal demo`."""

from ..web.cli import add_commands
from .cli import COMMANDS


def init_app(app):
    add_commands(app, *COMMANDS)
