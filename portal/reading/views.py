"""The reading beacon (what a signed-in reader's browser read, and where their lists stood) and
clearing the history from the account page."""

import re

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..extensions import db, limiter
from ..web.forms import ActionForm
from ..web.ids import parse_id
from .operations import clear_history, record_reads, record_visits

bp = Blueprint("reading", __name__, url_prefix="/reading")

# A list as news.lists.StoryList.key names it.
LIST_KEY = re.compile(r"front|(?:section|reporter):[a-z0-9-]{1,120}")
# A browser sends at most a minute's reading at once (static/js/reading.js keeps to these).
READS_PER_BEACON = 200
VISITS_PER_BEACON = 50


def _reader_key() -> str:
    return f"reader:{current_user.get_id()}"


@bp.post("/beacon")
@limiter.limit(lambda: current_app.config["READING_BEACON_LIMIT"], key_func=_reader_key, scope="reading-beacon",
               exempt_when=lambda: not current_user.is_authenticated)
def beacon():
    """navigator.sendBeacon's POST: `read=12,13` and `visit=<list key> <story id>` (repeated),
    with the page's CSRF token in the body (a beacon cannot set headers), from this site only."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        abort(403, description="Reading history comes from this site’s pages only.")
    if not current_user.is_authenticated:
        abort(401, description="Sign in to keep your reading history.")
    reads, visits = _beacon_contents()
    record_reads(current_user, reads)
    record_visits(current_user, visits)
    db.session.commit()
    return "", 204


def _beacon_contents() -> tuple[list[int], dict[str, int]]:
    raw = request.form.get("read", "")
    reads = [parse_id(part) for part in raw.split(",")] if raw else []
    if None in reads:
        abort(400, description="“read” must be story numbers separated by commas.")
    if len(reads) > READS_PER_BEACON:
        abort(400, description=f"At most {READS_PER_BEACON} stories at once.")
    visits = {}
    for entry in request.form.getlist("visit"):
        list_key, _, story = entry.partition(" ")
        story_id = parse_id(story)
        if not LIST_KEY.fullmatch(list_key) or story_id is None:
            abort(400, description="Each “visit” is a list’s name and a story number.")
        visits[list_key] = story_id
    if len(visits) > VISITS_PER_BEACON:
        abort(400, description=f"At most {VISITS_PER_BEACON} lists at once.")
    return list(dict.fromkeys(reads)), visits


@bp.post("/history/clear")
@login_required
def clear():
    if not ActionForm().validate_on_submit():
        abort(400)
    forgotten = clear_history(current_user)
    db.session.commit()
    flash(f"Your reading history is cleared: {forgotten} {'story' if forgotten == 1 else 'stories'} "
          "no longer shown as read, on every device, and no list remembers your last visit.")
    return redirect(url_for("auth.account", _anchor="reading"), code=303)
