"""Static files named by their content: `url_for('static', filename='css/site.css')` gives
/static/css/site.<12 hex of sha256>.css, which browsers and shared caches keep for a year.

There is no build step (`pip install .` would skip one): the static folder is hashed once at start-up.
Serving checks the file's time and size, and hashes it again when they changed, so an old hash is
never served for a year with new bytes; in debug mode naming a file checks too, so a page names
what the developer just saved. A name whose hash is not the current one (a page from a server
deployed at another time, an old bookmark) or that has no hash gets the current file, to be
checked again on every use.
"""

import hashlib
import os
import re
from pathlib import PurePosixPath
from stat import S_ISREG
from typing import NamedTuple

from flask import abort, current_app, redirect, request, send_from_directory, url_for
from werkzeug.security import safe_join

HASH_LENGTH = 12
PINNED = "public, max-age=31536000, immutable"  # a year
REVALIDATED = "public, no-cache"
FAVICON = "favicon.svg"
# A day: the icon's hashed name is followed soon after it changes (an old one still works).
FAVICON_REDIRECT = "public, max-age=86400"
_HASHED = re.compile(rf"(?P<stem>.*[^/])\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)?")


class Entry(NamedTuple):
    digest: str
    url_filename: str
    signature: tuple  # (mtime_ns, size) when hashed: a different one means the file changed


def hashed_name(name: str, digest: str) -> str:
    """css/site.css -> css/site.<digest>.css; the hash goes before the last suffix."""
    suffix = PurePosixPath(name).suffix
    return f"{name[: len(name) - len(suffix)]}.{digest}{suffix}"


def split_hashed_name(filename: str) -> tuple[str, str | None]:
    """css/site.<digest>.css -> ("css/site.css", digest); a name without a hash -> (name, None)."""
    match = _HASHED.fullmatch(filename)
    if match is None:
        return filename, None
    return match["stem"] + (match["suffix"] or ""), match["digest"]


class StaticFiles:
    """The content hashes of one static folder, and the view that serves it."""

    def __init__(self, folder):
        self.folder = os.fspath(folder)
        self.entries: dict[str, Entry] = {}
        for root, _dirs, files in os.walk(self.folder):
            for file in files:
                name = os.path.relpath(os.path.join(root, file), self.folder).replace(os.sep, "/")
                self.lookup(name)

    def lookup(self, name: str) -> Entry | None:
        """The file's current hash, or None when there is no such file in the folder."""
        path = safe_join(self.folder, name)  # None for a name that would leave the folder
        try:
            info = os.stat(path) if path else None
        except OSError:
            info = None
        if info is None or not S_ISREG(info.st_mode):
            self.entries.pop(name, None)
            return None
        signature = (info.st_mtime_ns, info.st_size)
        entry = self.entries.get(name)
        if entry is None or entry.signature != signature:
            with open(path, "rb") as file:
                digest = hashlib.file_digest(file, "sha256").hexdigest()[:HASH_LENGTH]
            entry = self.entries[name] = Entry(digest, hashed_name(name, digest), signature)
        return entry

    def url_filename(self, name: str) -> str:
        entry = None if current_app.debug else self.entries.get(name)
        entry = entry or self.lookup(name)
        return entry.url_filename if entry else name

    def add_hash_to_url(self, endpoint, values):
        """An app.url_defaults callback: url_for('static', filename=...) names the current content."""
        if endpoint == "static" and values.get("filename"):
            values["filename"] = self.url_filename(values["filename"])

    def serve(self, filename):
        name, digest = split_hashed_name(filename)
        entry = self.lookup(name) if digest else None
        if entry is None:  # no hash in the name, or a file whose name merely looks hashed
            name, digest = filename, None
            entry = self.lookup(name)
        if entry is None:
            abort(404)
        current = digest == entry.digest
        response = send_from_directory(self.folder, name, etag=entry.digest, conditional=False)
        # A current hash pins the content: kept a year. Any other name does not: caches, shared
        # ones too, keep it but ask each time, and the ETag makes the answer a 304 while the
        # content is the same.
        response.headers["Cache-Control"] = PINNED if current else REVALIDATED
        response.headers.remove("Expires")  # from SEND_FILE_MAX_AGE_DEFAULT, if set
        # Only the hash tells versions apart; a file time can go backwards (a rollback, a wheel).
        response.headers.remove("Last-Modified")
        response.make_conditional(request)
        if response.status_code == 200:
            # The body in memory (the files are small) rather than a file wrapper: an after_request
            # hook (the compressor) can read it with get_data(), which a direct-passthrough stream
            # refuses, and Flask-Compress leaves streams uncompressed.
            response.direct_passthrough = False
            response.make_sequence()
        return response


def favicon():
    """/favicon.ico, which browsers, feed readers and crawlers ask for without reading a page's
    <link rel="icon">: a redirect to the SVG icon by its hashed name (no second icon to keep)."""
    response = redirect(url_for("static", filename=FAVICON), code=301)
    response.headers["Cache-Control"] = FAVICON_REDIRECT
    return response


def init_app(app):
    if not app.has_static_folder:
        return
    static_files = StaticFiles(app.static_folder)
    app.url_defaults(static_files.add_hash_to_url)
    # Flask's own rule (/static/<path:filename>, endpoint "static") stays; this view answers it.
    app.view_functions["static"] = static_files.serve
    if static_files.lookup(FAVICON):
        app.add_url_rule("/favicon.ico", "favicon", favicon)
