"""Full-text search: `/search?q=` over published stories' titles, summaries and bodies.

One search function, two engines, chosen by the database's dialect:

- SQLite: an external-content FTS5 table, `articles_fts`, kept in step with `articles` by triggers;
  ranked by bm25() with the title weighted most; marked by highlight() and snippet().
- PostgreSQL: a GIN expression index on a weighted tsvector of the same columns (no triggers: the
  index follows the rows); ranked by ts_rank(); marked by ts_headline().

Both engines read the same small query language, parsed here: words and "quoted phrases" must all
appear, `-word` leaves out stories that have it, and `OR` between them offers alternatives. Every
word reaches the engine quoted, so nothing a reader types is engine syntax.

A search's cost is bounded, since common words match most stories and ranking them all is what
costs: a query past MAX_WORDS words or MAX_ALTERNATIVES alternatives is refused before it reaches the
engine, and one that runs past SEARCH_TIME_BUDGET milliseconds is stopped (SQLite's progress handler;
PostgreSQL's statement_timeout); either way the reader is asked to narrow it. SEARCH_CONCURRENCY
searches run at once on the machine, the others wait their turn (SearchSlots), so a flood of
searches takes a share of the CPU and leaves the rest to every other page.

The index objects are made by `create_search_index()`: on `db.create_all()` (an after_create event on
`articles`) and, in the same words, by the migration that added search (a test checks that the two
agree). Alembic's comparison is taught to leave them alone: they are not in the models' metadata.
"""

import fcntl
import hashlib
import logging
import os
import re
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic.autogenerate import comparators
from alembic.operations import ops
from alembic.util import DispatchPriority, PriorityDispatchResult
from flask import Blueprint, abort, current_app, request, url_for
from markupsafe import Markup, escape
from psycopg.errors import QueryCanceled
from sqlalchemy import bindparam, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..news.models import Article, Status
from ..web.htmx import is_fragment_request, render_page

bp = Blueprint("search", __name__)
log = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_PAGES = 10  # ranked results go this deep (200); past that, better words serve better than paging
MAX_QUERY_LENGTH = 200  # characters; a longer query is cut to this, and the page says so
# Past these a query is refused, not cut: no reader's question needs more, and each word or
# alternative is another pass over the index.
MAX_WORDS = 10  # words, counted in phrases and exclusions too
MAX_ALTERNATIVES = 4  # groups joined by OR
MAX_WAIT = 3.0  # seconds a search waits for its turn (SEARCH_CONCURRENCY) before it is told to try again

TOO_MANY_WORDS = (f"That search is too broad: use at most {MAX_WORDS} words and {MAX_ALTERNATIVES} "
                  "alternatives joined by OR. Narrow it to the words that matter most.")
BUSY = "Search is busy right now: please try again in a moment."
TOO_SLOW = ("That search is too broad: its words are in too many stories to rank them in time. "
            "Narrow it with fewer or more specific words, or a “quoted phrase”.")

# The engines mark matches with these private-use characters; the text is escaped, then they
# become <mark> tags, so nothing in a story can add markup of its own.
OPEN, CLOSE = "\ue000", "\ue001"

# ---- index objects -----------------------------------------------------------------------------
# Written out again in migrations/versions/c7d4e2a91f3b_search_index.py: keep the two the same
# (tests/test_search.py compares the objects each one builds).

FTS_TABLE = "articles_fts"
SQLITE_CREATE = (
    ("CREATE VIRTUAL TABLE articles_fts USING fts5(title, summary, body, content='articles', "
     "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"),
    # The 'delete' command takes the indexed values as they were, so the index never drifts.
    ("CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
     "INSERT INTO articles_fts (rowid, title, summary, body) "
     "VALUES (new.id, new.title, new.summary, new.body); "
     "END"),
    ("CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
     "INSERT INTO articles_fts (articles_fts, rowid, title, summary, body) "
     "VALUES ('delete', old.id, old.title, old.summary, old.body); "
     "END"),
    ("CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body ON articles BEGIN "
     "INSERT INTO articles_fts (articles_fts, rowid, title, summary, body) "
     "VALUES ('delete', old.id, old.title, old.summary, old.body); "
     "INSERT INTO articles_fts (rowid, title, summary, body) "
     "VALUES (new.id, new.title, new.summary, new.body); "
     "END"),
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
)

# Queries repeat this expression word for word, so PostgreSQL uses the index.
SEARCH_VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'C')"
)
POSTGRESQL_INDEX = "ix_articles_search"
POSTGRESQL_CREATE = (f"CREATE INDEX ix_articles_search ON articles USING gin (({SEARCH_VECTOR}))",)
POSTGRESQL_DROP = ("DROP INDEX IF EXISTS ix_articles_search",)


def create_search_index(connection) -> None:
    """Make the search index objects for this connection's database (articles must exist)."""
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}.get(connection.dialect.name, ())
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_search_index(connection) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(connection.dialect.name, ())
    for statement in statements:
        connection.exec_driver_sql(statement)


@event.listens_for(Article.__table__, "after_create")
def _create_with_articles(_table, connection, **_kw):
    create_search_index(connection)


@event.listens_for(Article.__table__, "before_drop")
def _drop_with_articles(_table, connection, **_kw):
    drop_search_index(connection)


def is_search_object(name: str | None, type_: str) -> bool:
    """The FTS5 table and the shadow tables SQLite keeps for it; the PostgreSQL index."""
    if type_ == "table":
        return bool(name) and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))
    return type_ == "index" and name == POSTGRESQL_INDEX


@comparators.dispatch_for("autogenerate", priority=DispatchPriority.LAST)
def _ignore_search_objects(_autogen_context, upgrade_ops, *_args):
    """Every schema comparison (`flask db migrate`, init-db's check, the migration tests) leaves
    the search objects alone: they are made by hand, so the models' metadata doesn't have them."""

    def keep(op) -> bool:
        if isinstance(op, ops.DropTableOp):
            return not is_search_object(op.table_name, "table")
        if isinstance(op, ops.DropIndexOp):
            return not is_search_object(op.index_name, "index")
        if isinstance(op, ops.ModifyTableOps):
            op.ops = [inner for inner in op.ops if keep(inner)]
            return bool(op.ops)
        return True

    upgrade_ops.ops = [op for op in upgrade_ops.ops if keep(op)]
    return PriorityDispatchResult.CONTINUE


# ---- queries -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    text: str  # one word, or the words of a phrase, never containing a double quote
    exclude: bool = False


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or digit: what both engines index


def clean_query(raw: str) -> tuple[str, bool]:
    """The query as searched: control characters and the highlight markers gone, spaces
    collapsed, at most MAX_QUERY_LENGTH characters. Also whether it had to be shortened."""
    kept = "".join(" " if not ch.isprintable() or ch in (OPEN, CLOSE) else ch for ch in raw)
    query = " ".join(kept.split())
    if len(query) > MAX_QUERY_LENGTH:
        return query[:MAX_QUERY_LENGTH].rstrip(), True
    return query, False


def parse_query(query: str) -> list[list[Term]]:
    """Alternatives (split on OR), each a list of terms that must all match (or, excluded, not).

    Anything without a letter or digit is dropped, and so is an alternative with nothing left to
    look for (an exclusion alone can't be searched)."""
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(query):
        minus, phrase, word = match.groups()
        if word is not None:
            if word.upper() == "OR":
                groups.append([])
                continue
            minus, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        phrase = " ".join(phrase.replace('"', " ").split())
        if _HAS_WORD.search(phrase):
            groups[-1].append(Term(phrase, exclude=bool(minus)))
    return [group for group in groups if any(not term.exclude for term in group)]


def fts5_query(groups: list[list[Term]]) -> str:
    """SQLite FTS5 syntax with every term a quoted string: `("a" "b c") NOT "d" OR ("e")`."""

    def quoted(term: Term) -> str:
        return '"' + term.text + '"'  # parse_query leaves no double quotes inside

    alternatives = []
    for group in groups:
        wanted = " ".join(quoted(t) for t in group if not t.exclude)
        unwanted = "".join(f" NOT {quoted(t)}" for t in group if t.exclude)
        alternatives.append(f"({wanted}){unwanted}")
    return " OR ".join(alternatives)


def websearch_query(groups: list[list[Term]]) -> str:
    """The same query for PostgreSQL's websearch_to_tsquery(): `"a" "b c" -"d" or "e"`."""
    return " or ".join(
        " ".join(("-" if t.exclude else "") + '"' + t.text + '"' for t in group) for group in groups
    )


def marked(fragment: str) -> Markup:
    """Engine output as safe HTML: the text escaped, the engine's markers as <mark> elements
    (balanced, even if a story's own text happens to contain a marker character)."""
    html, is_open = [], False
    for part in re.split(f"([{OPEN}{CLOSE}])", fragment):
        if part == OPEN:
            if not is_open:
                html.append("<mark>")
            is_open = True
        elif part == CLOSE:
            if is_open:
                html.append("</mark>")
            is_open = False
        else:
            html.append(str(escape(part)))
    if is_open:
        html.append("</mark>")
    return Markup("".join(html))


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


class SearchSlots:
    """Turns to search. At most `running` searches run at once on this machine, whichever worker
    process serves them (each holds a lock file; a running search costs a core); 0: no limit.
    One process holds at most `held` search requests at once, running or waiting for a turn:
    waiting costs no CPU but holds one of the worker's threads, so `held` stays below gunicorn's
    threads and other pages always find one free. Past that, a search is told to try again."""

    POLL = 0.01  # seconds between looks at the lock files while waiting

    def __init__(self, instance_path: str, running: int, held: int):
        # Named for this deployment (its instance folder) and its user, in the temp dir: app
        # servers of a PostgreSQL site may have no writable folder of their own.
        digest = hashlib.sha256(f"{os.getuid()}:{instance_path}".encode()).hexdigest()[:16]
        self._paths = [Path(tempfile.gettempdir()) / f"portal-search-{digest}-{n}.lock" for n in range(running)]
        self._held = threading.BoundedSemaphore(max(held, 1))

    @contextmanager
    def turn(self, wait: float):
        """True inside once this search may run (after at most `wait` seconds in line), else False."""
        if not self._paths:
            yield True
            return
        if not self._held.acquire(blocking=False):
            yield False
            return
        try:
            try:
                slot = self._take(time.monotonic() + wait)
            except OSError:
                # A lock file that can't be opened (taken by another user, say) must not cost
                # readers their search: it runs without a turn.
                log.warning("Search turns unavailable; searching without one", exc_info=True)
                yield True
                return
            if slot is None:
                yield False
                return
            try:
                yield True
            finally:
                os.close(slot)  # and with it the lock
        finally:
            self._held.release()

    def _take(self, deadline: float) -> int | None:
        while True:
            for path in self._paths:
                slot = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(slot, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return slot
                except BlockingIOError:
                    os.close(slot)
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.POLL)


@bp.record_once
def _limit_concurrent_searches(state):
    config = state.app.config
    state.app.extensions["search_slots"] = SearchSlots(
        state.app.instance_path, config["SEARCH_CONCURRENCY"], config["SEARCH_QUEUE"])


def is_too_broad(groups: list[list[Term]]) -> bool:
    words = sum(len(term.text.split()) for group in groups for term in group)
    return words > MAX_WORDS or len(groups) > MAX_ALTERNATIVES


class OverBudget(Exception):
    """The search ran past SEARCH_TIME_BUDGET and the engine stopped it; the caller rolls back."""


def _hits(engine, groups, ids: list[int]) -> list[Hit]:
    statement = text(engine.marked).bindparams(bindparam("ids", expanding=True))
    rows = db.session.execute(statement, {"query": engine.query(groups), "ids": ids})
    marks = {row.id: row for row in rows}
    articles = {a.id: a for a in db.session.scalars(
        select(Article).options(joinedload(Article.section)).where(Article.id.in_(ids))
    )}
    hits = []
    for article_id in ids:  # in rank order; a story deleted meanwhile is left out
        article, row = articles.get(article_id), marks.get(article_id)
        if article is None or row is None:
            continue
        hits.append(Hit(article=article, title=marked(row.title), excerpt=_excerpt(engine, row, article)))
    return hits


def _excerpt(engine, row, article: Article) -> Markup:
    """The summary if the words are in it, else the passage of the body where they are, else the
    summary as it is."""
    if OPEN in row.summary:
        return marked(row.summary)
    if OPEN in row.body:
        return marked(engine.around(row.body))
    return escape(article.summary)


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


# ---- the page ----------------------------------------------------------------------------------

def _page_arg() -> int:
    raw = request.args.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,6}", raw) or int(raw) < 1:
        abort(400, description="The page must be a whole number from 1.")
    page = int(raw)
    if page > MAX_PAGES:
        abort(400, description=f"Search results stop at page {MAX_PAGES}. "
                               "Try more specific words to find what you’re after.")
    return page


@bp.get("/search")
def index():
    page = _page_arg()
    results = search(request.args.get("q", ""), page)

    def page_url(number):
        return url_for("search.index", q=results.query, page=number if number > 1 else None)

    return render_page(
        "search/index.html",
        "search/_results.html",
        results=results,
        next_url=page_url(page + 1) if results.has_next else None,
        previous_url=page_url(page - 1) if page > 1 else None,
        title=f"Search: {results.query}" if results.query else "Search",
        max_pages=MAX_PAGES,
        max_query_length=MAX_QUERY_LENGTH,
        max_words=MAX_WORDS,
        max_alternatives=MAX_ALTERNATIVES,
        standalone_fragment=is_fragment_request(),
    )
