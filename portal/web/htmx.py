"""One URL, two answers: the fragment for htmx requests, the full page otherwise."""

from flask import make_response, render_template, request


def is_fragment_request() -> bool:
    headers = request.headers
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
