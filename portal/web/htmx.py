"""One URL, two answers: the fragment for htmx requests, the full page otherwise."""

from flask import make_response, render_template, request


def is_fragment_request() -> bool:
    return wants_fragment(request.headers)


def wants_fragment(headers) -> bool:
    """htmx asked for a piece of a page, not a whole one (a boosted link or a history restore
    wants the whole page). Also read by the page cache in front of Flask, from the WSGI environ."""
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render_page(page: str, fragment: str, **context):
    template = fragment if is_fragment_request() else page
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def client_redirect(url: str):
    """Send the browser to `url` from an htmx request (HX-Redirect): a redirect htmx followed
    itself would swap a whole page into the fragment's place."""
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response
