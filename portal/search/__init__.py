"""Full-text search over published stories: `/search?q=` over their titles, summaries and bodies.

- index.py: the index objects (FTS5 on SQLite, GIN on PostgreSQL), made with `articles` and left
  alone by Alembic's schema comparison.
- query.py: the query language both engines read, and the caps on it.
- engines.py: search() on either engine, within a time budget.
- slots.py: turns to search, so a flood of searches leaves the CPU to every other page.
- views.py: the `/search` page.
"""

# index is imported for what importing it registers: the index objects made and dropped with
# `articles`, and the comparator that keeps Alembic from proposing to drop them.
from . import index, views  # noqa: F401


def init_app(app):
    app.register_blueprint(views.bp)
