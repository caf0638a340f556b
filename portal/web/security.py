"""Security headers on every response, and no shared caching of a signed-in reader's pages."""

from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user


def media_origin(config) -> str:
    """The origin lead images come from when they live in a bucket (PORTAL_MEDIA_URL), else ""."""
    if not config["MEDIA_URL"]:
        return ""
    parts = urlsplit(config["MEDIA_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy() -> str:
    sources = "'self'"
    if current_app.config["HTMX_CDN"]:
        # The one pinned file, not the CDN's origin: jsDelivr serves every file of every npm package.
        # static/js/htmx-loader.js fetches it (connect-src), then runs it (script-src).
        sources += " " + current_app.config["HTMX_CDN_URL"]
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {sources}",
            f"connect-src {sources}",
            "style-src 'self'",
            f"img-src 'self' data: {media_origin(current_app.config)}".rstrip(),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # A response that chose its caching (a public QR image, a feed) never asks who is signed in.
    if "Cache-Control" not in headers and current_user.is_authenticated:
        # Pages for a signed-in reader show their own data: never to a shared cache.
        headers["Cache-Control"] = "private, no-cache"
    return response


def init_app(app):
    app.after_request(set_security_headers)
