"""Catch-up and read state: the stories a reader opened show as read, and each list marks where
it stood at the reader's last visit ("Since your last visit"). Browsers keep both
(static/js/reading.js); for signed-in readers the server keeps them too, sent by a beacon, so they
follow the reader across devices."""

from ..accounts.auth import add_account_section
from ..bookmarks.export import supply_export_part
from ..news.marks import supply_marks
from . import views
from .export import last_visits, reading_history
from .models import HISTORY_KEPT, LAST_VISIT, READ_AMONG


def init_app(app):
    app.register_blueprint(views.bp)
    supply_marks(app, "read", READ_AMONG)
    supply_marks(app, "visit", LAST_VISIT)
    supply_export_part(app, "read_stories", reading_history)
    supply_export_part(app, "list_visits", last_visits)
    add_account_section(app, "reading/_account_section.html")
    app.jinja_env.globals["reading_history_kept"] = HISTORY_KEPT
