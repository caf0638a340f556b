"""Input no view can use, refused before any view sees it."""

from flask import Request, abort, current_app, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.formparser import FormDataParser

from ..extensions import db
from .errors import ERROR_PAGES


class NamedPartsParser(FormDataParser):
    """Form data without the multipart parts that have no name. RFC 7578 requires one; werkzeug
    files such a part under the key None, which breaks code that expects text keys (flask-wtf's
    CSRF check calls key.endswith on every key when the token is missing: a 500 on every POST)."""

    def parse(self, *args, **kwargs):
        stream, form, files = super().parse(*args, **kwargs)
        for file in files.getlist(None):
            file.close()  # the request closes only the files it keeps
        return stream, self._named(form), self._named(files)

    def _named(self, data):
        if None not in data:
            return data
        return self.cls((key, value) for key, value in data.items(multi=True) if key is not None)


class PortalRequest(Request):
    form_data_parser_class = NamedPartsParser


def refuse_nul_in_path():
    """A NUL can be in no slug or token (PostgreSQL refuses it in text): such an address names
    nothing, on any database."""
    if any(isinstance(value, str) and "\x00" in value for value in (request.view_args or {}).values()):
        abort(404)


def handle_refused_data(error: DataError):
    """A value the database cannot hold (a NUL in a query value on PostgreSQL, say): the request
    is at fault, so a 400 page rather than a 500."""
    current_app.logger.warning("Refused data on %s %s: %s", request.method, request.path,
                               type(getattr(error, "orig", None) or error).__name__)
    db.session.rollback()
    return render_template(
        "web/error.html", code=400, heading=ERROR_PAGES[400][0],
        reason="It contains a character we can’t accept.", advice=ERROR_PAGES[400][1],
    ), 400


def init_app(app):
    app.request_class = PortalRequest
    app.before_request(refuse_nul_in_path)
    app.register_error_handler(DataError, handle_refused_data)
