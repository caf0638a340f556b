"""The desk's blueprint, and who may use it: every desk route is for editors (admins are editors
too), some for admins only, and with DESK_REQUIRE_2FA (production's default) only from a sign-in
that passed an authentication code. Roles come with the reader from the database on each
request (portal.accounts.sessions), so a revoked role closes the desk on the next request."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..web.htmx import client_redirect, is_fragment_request

bp = Blueprint("desk", __name__, url_prefix="/desk")


@bp.before_request
def editors_only():
    """A stranger goes to sign-in and comes back; a reader is refused."""
    if not current_user.is_authenticated:
        if is_fragment_request():
            # The page the request came from, not the fragment's URL, is where to come back to.
            page = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = page.path + (f"?{page.query}" if page.query else "") if page.path.startswith("/desk") else "/desk"
            return client_redirect(url_for("auth.login", next=back))
        back = request.full_path if request.method == "GET" else url_for("desk.index")
        return redirect(url_for("auth.login", next=back.rstrip("?")), code=303 if request.method != "GET" else 302)
    if not current_user.is_editor:
        abort(403, description="The desk is for the newsroom's editors.")
    if current_app.config["DESK_REQUIRE_2FA"] and not current_user.current_session.second_factor:
        flash("Sign out, then sign in again with your authentication code: the desk needs it."
              if current_user.uses_two_factor else "The desk needs two-step sign-in: set it up here first.")
        setup = url_for("two_factor.setup")
        return client_redirect(setup) if is_fragment_request() else redirect(setup, code=303)
    return None


def admin_only(view):
    @wraps(view)
    def admins(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, description="Only the newsroom's admins may do that.")
        return view(*args, **kwargs)

    return admins
