"""Responses that shared caches (a CDN, a proxy) may keep carry no cookie: a cache would hand it,
and the session in it, to every reader who asks for the same URL."""

from flask.sessions import SecureCookieSessionInterface


def is_shared_cacheable(response) -> bool:
    cache_control = response.cache_control
    return bool(cache_control.public or cache_control.s_maxage is not None)


class PrivateCookiesSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, never saved into a response that shared caches may keep.
    It runs after every after_request function, so it also drops any cookie one of them set
    (a renewed remember cookie, say): the next private response sets it instead."""

    def save_session(self, app, session, response):
        if is_shared_cacheable(response):
            response.headers.remove("Set-Cookie")
            return
        super().save_session(app, session, response)


def init_app(app):
    app.session_interface = PrivateCookiesSessionInterface()
