"""Plumbing every feature shares: content-hashed static files, request guards, security headers,
error pages, template filters, caches (the page cache among them), metrics, mail, forms and the
command group. It imports no feature."""

from . import assets, cache, errors, filters, input, metrics, pagecache, public_responses, security
from .forms import field_attributes
from .urls import absolute_url


def init_app(app):
    pagecache.init_app(app)  # first: its layer in front of Flask is innermost, its compression last
    metrics.init_app(app)  # its after_request then runs after the others'
    assets.init_app(app)
    cache.init_app(app)
    public_responses.init_app(app)
    errors.init_app(app)
    input.init_app(app)
    security.init_app(app)
    filters.init_app(app)
    app.add_template_global(absolute_url)
    app.add_template_global(field_attributes)
