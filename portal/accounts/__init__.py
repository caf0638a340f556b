"""Readers' accounts: registration, sign-in and its sessions, password resets, the account page."""

from ..web.cli import add_commands
from . import auth, password_reset
from .cli import COMMANDS


def init_app(app):
    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(password_reset.bp)
    add_commands(app, *COMMANDS)
