"""One search function, two engines, chosen by the database's dialect:

- SQLite: the FTS5 table, ranked by bm25() with the title weighted most; marked by highlight()
  and snippet().
- PostgreSQL: the GIN-indexed tsvector, ranked by ts_rank(); marked by ts_headline().

A search's cost is bounded: besides the caps on the query (query.py), one that runs past
SEARCH_TIME_BUDGET milliseconds is stopped (SQLite's progress handler; PostgreSQL's
statement_timeout), and the reader is asked to narrow it. Each search waits at most MAX_WAIT for
its turn (slots.py) before the reader is asked to try again.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from markupsafe import Markup, escape
from psycopg.errors import QueryCanceled
from sqlalchemy import Integer, Text, bindparam, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..news.models import Article, Status
from .index import SEARCH_VECTOR
from .query import (
    CLOSE,
    MAX_ALTERNATIVES,
    MAX_WORDS,
    OPEN,
    clean_query,
    fts5_query,
    is_too_broad,
    marked,
    parse_query,
    websearch_query,
)

PAGE_SIZE = 20
MAX_PAGES = 10  # ranked results go this deep (200); past that, better words serve better than paging
MAX_WAIT = 3.0  # seconds a search waits for its turn (SEARCH_CONCURRENCY) before it is told to try again

TOO_MANY_WORDS = (f"That search is too broad: use at most {MAX_WORDS} words and {MAX_ALTERNATIVES} "
                  "alternatives joined by OR. Narrow it to the words that matter most.")
BUSY = "Search is busy right now: please try again in a moment."
TOO_SLOW = ("That search is too broad: its words are in too many stories to rank them in time. "
            "Narrow it with fewer or more specific words, or a “quoted phrase”.")


@dataclass
class Hit:
    article: Article
    title: Markup
    excerpt: Markup


@dataclass
class Results:
    query: str  # as searched: cleaned and perhaps shortened
    page: int = 1
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # counted up to the depth cap, MAX_PAGES * PAGE_SIZE
    more_than_total: bool = False  # matches go on past the cap
    shortened: bool = False  # the query was cut to MAX_QUERY_LENGTH
    message: str | None = None  # why nothing was searched, or why nothing was found

    @property
    def has_next(self) -> bool:
        return self.page < MAX_PAGES and self.total > self.page * PAGE_SIZE

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1


def search(raw_query: str, page: int = 1) -> Results:
    """Published stories matching the query, best first, newest first among equals; one page of
    PAGE_SIZE, with the title and an excerpt marked where the words matched."""
    if not 1 <= page <= MAX_PAGES:
        raise ValueError(f"page must be 1 to {MAX_PAGES}")
    query, shortened = clean_query(raw_query)
    results = Results(query=query, page=page, shortened=shortened)
    if not query:
        return results
    groups = parse_query(query)
    if not groups:
        results.message = "Search for words or numbers: punctuation and operators alone match nothing."
        return results
    if is_too_broad(groups):
        results.message = TOO_MANY_WORDS
        return results

    with current_app.extensions["search_slots"].turn(MAX_WAIT) as my_turn:
        if not my_turn:
            results.message = BUSY
            return results
        engine = _ENGINES[db.session.get_bind().dialect.name]
        cap = MAX_PAGES * PAGE_SIZE
        try:
            with engine.time_budget(current_app.config["SEARCH_TIME_BUDGET"]):
                ranked = list(db.session.scalars(text(engine.ranked).bindparams(status=Status.published.name),
                                                 {"query": engine.query(groups), "limit": cap + 1}))
                page_ids = ranked[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
                if not ranked and engine.matches_nothing(groups):
                    results.message = "Those words are too common to search for: try something more specific."
                if page_ids:
                    results.hits = _hits(engine, groups, page_ids)
        except OverBudget:
            db.session.rollback()  # the stopped statement may have aborted the transaction
            results.message = TOO_SLOW
            return results
    results.total = min(len(ranked), cap)
    results.more_than_total = len(ranked) > cap
    return results


class OverBudget(Exception):
    """The search ran past SEARCH_TIME_BUDGET and the engine stopped it; the caller rolls back."""


def _hits(engine, groups, ids: list[int]) -> list[Hit]:
    """The page's stories with their sections and their marked title and text, in one statement."""
    passages = (
        text(engine.marked).bindparams(bindparam("ids", expanding=True))
        .columns(id=Integer, title=Text, summary=Text, body=Text)
        .subquery("marked")
    )
    statement = (
        select(Article, passages.c.title.label("marked_title"), passages.c.summary.label("marked_summary"),
               passages.c.body.label("marked_body"))
        .join(passages, passages.c.id == Article.id)
        .options(joinedload(Article.section))
    )
    found = db.session.execute(statement, {"query": engine.query(groups), "ids": ids})
    rows = {row.Article.id: row for row in found}
    hits = []
    for article_id in ids:  # in rank order; a story deleted meanwhile is left out
        row = rows.get(article_id)
        if row is None:
            continue
        hits.append(Hit(article=row.Article, title=marked(row.marked_title), excerpt=_excerpt(engine, row)))
    return hits


def _excerpt(engine, row) -> Markup:
    """The summary if the words are in it, else the passage of the body where they are, else the
    summary as it is."""
    if OPEN in row.marked_summary:
        return marked(row.marked_summary)
    if OPEN in row.marked_body:
        return marked(engine.around(row.marked_body))
    return escape(row.Article.summary)


class SQLiteEngine:
    query = staticmethod(fts5_query)
    # The progress handler runs every this many virtual machine steps: often enough to stop within
    # a millisecond or so, rarely enough to cost nothing measurable.
    PROGRESS_STEPS = 1000
    # bm25() is lower for better matches; a match in the title counts ten times one in the body.
    ranked = (
        "SELECT articles.id FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid "
        "WHERE articles_fts MATCH :query AND articles.status = :status "
        "ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0), articles.published_at DESC, articles.id DESC "
        "LIMIT :limit"
    )
    # Marked in a second statement, for one page of ids only (SQLite would mark every match
    # before sorting them).
    marked = (
        f"SELECT rowid AS id, highlight(articles_fts, 0, '{OPEN}', '{CLOSE}') AS title, "
        f"highlight(articles_fts, 1, '{OPEN}', '{CLOSE}') AS summary, "
        f"snippet(articles_fts, 2, '{OPEN}', '{CLOSE}', '…', 32) AS body "
        "FROM articles_fts WHERE articles_fts MATCH :query AND rowid IN :ids"
    )

    @staticmethod
    def around(passage: str) -> str:
        return passage  # snippet() adds its own ellipses

    @classmethod
    @contextmanager
    def time_budget(cls, milliseconds: int):
        """Interrupt the statements run inside past `milliseconds` (0: no limit). The handler is on
        this connection for the search's statements only: nothing else a request runs is stopped."""
        if not milliseconds:
            yield
            return
        connection = db.session.connection().connection.dbapi_connection
        deadline = time.monotonic() + milliseconds / 1000
        ran_out = False

        def over_budget() -> bool:  # a true answer makes SQLite stop with "interrupted"
            nonlocal ran_out
            ran_out = time.monotonic() >= deadline
            return ran_out

        try:
            connection.set_progress_handler(over_budget, cls.PROGRESS_STEPS)
            try:
                yield
            finally:  # before the caller's rollback hands the connection back to the pool
                connection.set_progress_handler(None, 0)
        except OperationalError as error:
            if not ran_out:
                raise  # not ours: a locked or broken database is the 503 page's business
            raise OverBudget from error

    @staticmethod
    def matches_nothing(_groups) -> bool:
        return False  # no stop words in FTS5: every term is looked for


class PostgreSQLEngine:
    query = staticmethod(websearch_query)
    # ts_rank's default weights: A (title) 1.0, B (summary) 0.4, C (body) 0.2.
    ranked = (
        "SELECT id FROM articles, websearch_to_tsquery('english', :query) AS q "
        f"WHERE ({SEARCH_VECTOR}) @@ q AND status = :status "
        f"ORDER BY ts_rank(({SEARCH_VECTOR}), q) DESC, published_at DESC, id DESC "
        "LIMIT :limit"
    )
    _whole = f"StartSel={OPEN}, StopSel={CLOSE}, HighlightAll=true"
    _passages = (f"StartSel={OPEN}, StopSel={CLOSE}, "
                 'MaxFragments=2, MaxWords=32, MinWords=12, FragmentDelimiter=" … "')
    marked = (
        f"SELECT id, ts_headline('english', title, q, '{_whole}') AS title, "
        f"ts_headline('english', summary, q, '{_whole}') AS summary, "
        f"ts_headline('english', body, q, '{_passages}') AS body "
        "FROM articles, websearch_to_tsquery('english', :query) AS q WHERE id IN :ids"
    )

    @staticmethod
    def around(passage: str) -> str:
        return f"…{passage}…"

    @staticmethod
    @contextmanager
    def time_budget(milliseconds: int):
        """Cancel the statements run inside past `milliseconds` (0: the server's own statement
        timeout, which is then the budget): SET LOCAL lasts until the transaction ends, so the
        configured timeout is put back for the rest of the request. The budget never exceeds
        that timeout: past it, the client-side bound (portal.database) would end the search as a
        database that stopped answering (the 503 page)."""
        configured = int(current_app.config["DB_STATEMENT_TIMEOUT"])
        if configured:
            milliseconds = min(int(milliseconds) or configured, configured)
        if milliseconds:
            db.session.execute(text(f"SET LOCAL statement_timeout = {int(milliseconds)}"))
        try:
            yield
        except OperationalError as error:
            if not isinstance(error.orig, QueryCanceled):
                raise
            raise OverBudget from error  # the caller's rollback also ends SET LOCAL
        if milliseconds:
            db.session.execute(text(f"SET LOCAL statement_timeout = {configured}"))

    @staticmethod
    def matches_nothing(groups) -> bool:
        """Whether the query is all stop words ("the", "or"), which PostgreSQL drops."""
        statement = text("SELECT numnode(websearch_to_tsquery('english', :query)) = 0")
        return bool(db.session.scalar(statement, {"query": websearch_query(groups)}))


_ENGINES = {"sqlite": SQLiteEngine, "postgresql": PostgreSQLEngine}
