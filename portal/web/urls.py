"""Links that leave the page: absolute URLs for mail and feeds, and safe places to return to."""

from urllib.parse import urlsplit

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link: PORTAL_PUBLIC_URL when set, otherwise the request's own host."""
    public = current_app.config["PUBLIC_URL"]
    if public:
        return public + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to; anything pointing at another site, or that could not be sent
    in a Location header (control characters), falls back to the default."""
    if not target:
        return default
    target = target.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
