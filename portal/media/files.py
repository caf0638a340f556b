"""/media/<name>: the files kept in the instance's folder, for a site without a media bucket (with
one, readers fetch from MEDIA_URL, and only files stored here before it was set are served)."""

from flask import Blueprint, Response, abort, current_app, request

from .names import check_name, content_type_of
from .storage import PINNED, LocalStorage, local_folder

bp = Blueprint("media", __name__)


@bp.get("/media/<path:name>")
def file(name):
    try:
        digest = check_name(name)["digest"]
        data = LocalStorage(local_folder(current_app)).read(name)
    except (ValueError, FileNotFoundError):
        abort(404)
    response = Response(data, mimetype=content_type_of(name))
    response.headers["Cache-Control"] = PINNED
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(digest)
    return response.make_conditional(request)
