"""The database engine: pool, timeouts, and a client-side bound on every PostgreSQL wait.

PostgreSQL's statement_timeout is enforced by the server. A server, proxy or network that keeps
the TCP connection open and never answers leaves libpq waiting for ever (keepalives and
tcp_user_timeout see nothing wrong while the peer acknowledges). So every wait psycopg does on a
connection (a statement, a commit, a rollback, the check of a pooled connection) has a deadline,
and a watchdog thread shuts the connection's socket down when the deadline passes: psycopg then
sees the connection closed and raises OperationalError, SQLAlchemy discards the connection (the
pool opens fresh ones, so the site recovers by itself), and the request ends in the 503 page.
Opening a connection is bounded by connect_timeout, which psycopg applies to the whole handshake.

Also here: the engine's own INSERT, for statements that meet a unique key (upserting_insert).
"""

import math
import os
import socket
import threading
import time
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass

import psycopg
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError, InvalidatePoolError

from .extensions import db

# Both engines can skip (on_conflict_do_nothing) or update (on_conflict_do_update) a row that
# meets a unique key, in one statement.
_UPSERTING_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upserting_insert():
    """The session engine's INSERT construct, which has on_conflict_do_nothing/do_update."""
    return _UPSERTING_INSERT[db.session.get_bind().dialect.name]


# Seconds past statement_timeout before the client gives up: a slow statement is ended by the
# server first, cleanly, and only a server that does not answer at all meets the watchdog.
STATEMENT_GRACE = 1.0
# Seconds for the check of a pooled connection before use: SELECT 1 takes milliseconds on a
# server that is there, and the check plus a new connection must still fit a request's bound.
PING_SECONDS = 1.0
# psycopg's shortest connect_timeout (libpq's rule): shorter values count as 2 seconds.
SHORTEST_CONNECT = 2


def configure_database(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    cfg = app.config
    if uri.startswith("postgresql"):
        options = cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("pool_size", cfg["DB_POOL_SIZE"])
        options.setdefault("max_overflow", cfg["DB_MAX_OVERFLOW"])
        options.setdefault("pool_timeout", cfg["DB_POOL_TIMEOUT"])
        connect_args = options.setdefault("connect_args", {})
        connect_args.setdefault("connect_timeout", cfg["DB_CONNECT_TIMEOUT"])
        # A network that drops packets silently is noticed in seconds, not at the OS's default.
        connect_args.setdefault("keepalives", 1)
        connect_args.setdefault("keepalives_idle", 5)
        connect_args.setdefault("keepalives_interval", 2)
        connect_args.setdefault("keepalives_count", 2)
        connect_args.setdefault("tcp_user_timeout", cfg["DB_STATEMENT_TIMEOUT"])
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    if uri.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets readers run beside a writer (several gunicorn workers);
            # busy_timeout waits for a lock rather than failing at once.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    elif uri.startswith("postgresql"):
        watch_postgresql_waits(engine, statement_timeout_ms=int(cfg["DB_STATEMENT_TIMEOUT"]))


def watch_postgresql_waits(engine, statement_timeout_ms: int):
    """Connections of `engine` are WatchedConnections, checked before use within PING_SECONDS.
    statement_timeout 0 (off, for a long migration) leaves statements unbounded here too."""
    wait_seconds = statement_timeout_ms / 1000 + STATEMENT_GRACE if statement_timeout_ms > 0 else None

    @event.listens_for(engine, "do_connect")
    def _watched_connection(_dialect, _record, cargs, cparams):
        scope = _scope.get()
        if scope is not None:
            if scope.unanswered:
                raise psycopg.OperationalError("the database did not answer: not connecting again")
            bound = max(SHORTEST_CONNECT, math.ceil(scope.seconds))  # psycopg counts whole seconds
            cparams = {**cparams, "connect_timeout": min(int(cparams.get("connect_timeout") or bound), bound)}
        connection = WatchedConnection.connect(*cargs, **cparams)
        connection.wait_seconds = wait_seconds
        return connection

    @event.listens_for(engine, "connect")
    def _new_connection(dbapi_connection, record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {statement_timeout_ms}")
        dbapi_connection.commit()
        record.info["unused"] = True  # no check at its first checkout

    # SQLAlchemy's pool_pre_ping, with a short bound of its own: a pooled connection the server
    # dropped, or that no longer answers, is replaced (and the pool with it) rather than used.
    @event.listens_for(engine, "checkout")
    def _check_pooled_connection(dbapi_connection, record, _proxy):
        if record.info.pop("unused", False):
            return  # just opened: it answered a moment ago
        if dbapi_connection.shut_down_late:
            raise DisconnectionError()  # replace this one; the others are fine
        # Inside bounded_waits() the check counts against that scope (its bound, its memory).
        with nullcontext() if _scope.get() else bounded_waits(PING_SECONDS):
            try:
                engine.dialect.do_ping(dbapi_connection)
            except psycopg.Error as error:
                if engine.dialect.is_disconnect(error, dbapi_connection, None):
                    raise InvalidatePoolError() from error
                raise


@dataclass
class _Scope:
    seconds: float
    unanswered: bool = False  # a wait in this scope met its deadline


_scope: ContextVar[_Scope | None] = ContextVar("database_wait_scope", default=None)


@contextmanager
def bounded_waits(seconds: float):
    """Within this block each PostgreSQL wait gets `seconds` (a new connection at least
    SHORTEST_CONNECT), and once a wait has gone unanswered no new connection is tried: for an
    answer that must come quickly, such as a readiness check. SQLite ignores it."""
    token = _scope.set(_Scope(seconds))
    try:
        yield
    finally:
        _scope.reset(token)


class WatchedConnection(psycopg.Connection):
    """A psycopg connection whose every wait on the server has a deadline (see the module's doc):
    statements through its client-side cursors (the only kind the app uses), commit, rollback."""

    wait_seconds: float | None = None  # a statement's, commit's or rollback's bound; None: none
    # The watchdog shut the socket down just as a wait succeeded: never to be used again.
    shut_down_late = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursor_factory = WatchedCursor

    def watched(self, statements: int = 1):
        """The bound on a wait for `statements` statements (each has its own server timeout)."""
        scope = _scope.get()
        seconds = scope.seconds if scope is not None else self.wait_seconds
        return nullcontext() if seconds is None else _watchdog.watch(self, seconds * max(statements, 1), scope)

    def commit(self):
        with self.watched():
            super().commit()

    def rollback(self):
        with self.watched():
            super().rollback()


class WatchedCursor(psycopg.Cursor):
    def execute(self, *args, **kwargs):
        with self.connection.watched():
            return super().execute(*args, **kwargs)

    def executemany(self, query, params_seq, **kwargs):
        # A bulk insert (portal demo: thousands of rows a call) is many statements, each bounded.
        statements = len(params_seq) if hasattr(params_seq, "__len__") else 1
        with self.connection.watched(statements):
            return super().executemany(query, params_seq, **kwargs)


@dataclass(eq=False)
class _Watch:
    deadline: float
    fd: int  # a duplicate of the connection's socket, so it can't be closed and reused meanwhile
    fired: bool = False


class Watchdog:
    """One thread for the process; arming a wait costs a duplicated descriptor and a lock."""

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # the thread does not survive a fork

    def _reset(self):
        for watch in getattr(self, "_watches", ()):  # a forked child's copies of the parent's
            os.close(watch.fd)
        self._condition = threading.Condition()
        self._watches: set[_Watch] = set()
        self._wakes_at = math.inf
        self._thread = None

    @contextmanager
    def watch(self, connection: psycopg.Connection, seconds: float, scope: _Scope | None):
        try:
            fd = os.dup(connection.fileno())
        except (psycopg.Error, OSError):
            yield  # a closed connection: the operation fails at once by itself
            return
        watch = _Watch(time.monotonic() + seconds, fd)
        with self._condition:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="database-watchdog", daemon=True)
                self._thread.start()
            if watch.deadline < self._wakes_at:
                self._condition.notify()
        try:
            yield
        except psycopg.Error as error:
            if not watch.fired:
                raise
            if scope is not None:
                scope.unanswered = True
            raise psycopg.OperationalError(f"the database did not answer within {seconds:g} s") from error
        finally:
            with self._condition:
                self._watches.discard(watch)
                fired = watch.fired
            os.close(fd)
        if fired:  # the answer came as the deadline passed: it stands, the connection does not
            connection.shut_down_late = True

    def _run(self):
        with self._condition:
            while True:
                now = time.monotonic()
                for watch in self._watches:
                    if not watch.fired and watch.deadline <= now:
                        watch.fired = True
                        _shut_down(watch.fd)
                self._wakes_at = min((w.deadline for w in self._watches if not w.fired), default=math.inf)
                self._condition.wait(None if self._wakes_at == math.inf else self._wakes_at - now)


def _shut_down(fd: int):
    """Wake whoever waits on the socket, as a server that closed the connection would."""
    sock = socket.socket(fileno=fd)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone
    finally:
        sock.detach()  # the descriptor stays the watch's to close


_watchdog = Watchdog()
