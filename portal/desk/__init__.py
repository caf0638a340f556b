"""The editor's desk: who may use it, the stories list, writing and publishing, roles, the audit log."""

from ..accounts.auth import signed_in_through_form
from ..web.cli import add_commands
from . import audit, reports, revisions, staff, stories, writing  # noqa: F401  (each adds its routes to the blueprint)
from .blueprint import bp
from .cli import COMMANDS


def init_app(app):
    app.register_blueprint(bp)
    add_commands(app, *COMMANDS)
    signed_in_through_form.connect(audit.record_desk_sign_in, weak=False)
