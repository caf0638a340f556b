"""Responses that shared caches (a CDN, a proxy) may keep carry no cookie: a cache would hand it,
and the session in it, to every reader who asks for the same URL."""

from flask.sessions import SecureCookieSessionInterface


def is_shared_cacheable(response) -> bool:
    # A look at the header's words rather than werkzeug's parse: this runs on every response.
    words = response.headers.get("Cache-Control", "").lower()
    return "public" in words or "s-maxage" in words


class PrivateCookiesSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, never saved into a response that shared caches may keep.
    It runs after every after_request function, so it also drops any cookie one of them set
    (a renewed remember cookie, say): the next private response sets it instead."""

    def open_session(self, app, request):
        # No cookie, nothing to verify: skip building the signer (most anonymous requests).
        if app.secret_key and app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if is_shared_cacheable(response):
            response.headers.remove("Set-Cookie")
            return
        super().save_session(app, session, response)


def init_app(app):
    app.session_interface = PrivateCookiesSessionInterface()
