"""Readers' accounts: registration, sign-in and its sessions, password resets, the account page."""

from ..web.cli import add_commands
from ..web.pagecache import bypass_cookie
from . import auth, password_reset, two_factor_views
from .cli import COMMANDS


def init_app(app):
    auth.init_app(app)
    bypass_cookie(app, auth.REMEMBER_COOKIE)
    app.register_blueprint(auth.bp)
    app.register_blueprint(password_reset.bp)
    app.register_blueprint(two_factor_views.bp)
    add_commands(app, *COMMANDS)
