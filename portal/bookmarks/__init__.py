"""Readers' saved stories: the Save buttons, the bookmarks page, and its exports and private feed."""

from ..accounts.auth import signed_in_through_form
from ..news.marks import supply_marks
from . import export, views
from .models import SAVED_AMONG
from .pending import save_pending_story


def init_app(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(export.bp)
    supply_marks(app, "saved", SAVED_AMONG)
    # Weak references would let the receiver go; it is a module function, so keep it strongly.
    signed_in_through_form.connect(save_pending_story, weak=False)
