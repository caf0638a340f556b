"""Load N demo stories into a scratch SQLite database, then time the feed's first and deep pages,
rendered (the page cache off), beside the code of an earlier commit.

    .venv/bin/python bench/feed_paging.py [--articles 1000000] [--repeat 50] [--baseline ba14da7]

Prints the load time (the `portal demo` path, bulk inserts), then for each page (the front page; a
cursor page near the top, one halfway down and one near the end, as the htmx fragment and as the
full page; the list restored down to its 120th story; the front page and the fragment after row 30
for a signed-in reader; the front page right after a change to a story, when nothing rendered
before may be used) the median and 95th-percentile time of a whole request through the app and
its SQL statements; then the same for the baseline commit's code, and the ratio of the medians.

The baseline is exported with `git archive` into a scratch folder and runs in a subprocess
(PYTHONPATH pointing there) on the same database file when every table it maps is there (on a
load of its own otherwise). The two take turns, a few requests at a time, so both see the same
load on the machine. `--baseline ""` measures the current code alone.
"""

import argparse
import io
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
# Requests each side makes before the other takes its turn.
TURN = 5
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "correct horse battery staple"
CHEAP_HASH = "pbkdf2:sha256:1000"


def bench_app(database: Path):
    """The app of whichever code is on the path (this checkout's, or the baseline's in its
    subprocess), rendering every page."""
    from portal import create_app

    return create_app({
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "PAGE_CACHE": False,
        "PASSWORD_HASH_METHOD": CHEAP_HASH,
    })


class Pages:
    """Requests to one app, timed, with their SQL statements counted."""

    def __init__(self, app):
        from sqlalchemy import event

        from portal.extensions import db

        # One log line per request would swamp the figures (and cost time that serving doesn't measure).
        logging.getLogger("portal.requests").setLevel(logging.WARNING)
        self.app = app
        self.statements = 0
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", self._count)
        self.clients = {False: app.test_client(), True: self._signed_in_client()}

    def _count(self, *_args):
        self.statements += 1

    def _signed_in_client(self):
        client = self.app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        form = {"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token}
        response = client.post("/login", data=form)
        assert response.status_code == 303, "the bench reader signs in"
        return client

    def time(self, url: str, fragment: bool, signed_in: bool, times: int) -> dict:
        client = self.clients[signed_in]
        headers = {"HX-Request": "true"} if fragment else {}
        timings = []
        for _ in range(times):
            self.statements = 0
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return {"timings": timings, "statements": self.statements}


def load(database: Path, articles: int) -> None:
    """The demo stories and the bench's reader, through the code on the path."""
    from werkzeug.security import generate_password_hash

    from portal.demo.loader import load_demo
    from portal.extensions import db
    from portal.models import User

    app = bench_app(database)
    with app.app_context():
        db.create_all()
        load_demo(articles=articles)
        password_hash = generate_password_hash(BENCH_PASSWORD, method=CHEAP_HASH)
        db.session.add(User(email=BENCH_EMAIL, password_hash=password_hash))
        db.session.commit()


def has_every_table_of_its_own(app) -> bool:
    """Whether the database has every table and column the code on the path maps."""
    from sqlalchemy import inspect

    from portal.extensions import db

    with app.app_context():
        found = inspect(db.engine)
        names = set(found.get_table_names())
        return all(
            table.name in names
            and {c.name for c in table.columns} <= {c["name"] for c in found.get_columns(table.name)}
            for table in db.metadata.sorted_tables
        )


def worker(database: Path, articles: int) -> None:
    """The baseline's side: one JSON request a line on stdin, one JSON answer a line on stdout."""
    app = bench_app(database)
    shared = has_every_table_of_its_own(app)
    if not shared:
        database = database.with_name("baseline.db")
        load(database, articles)
        app = bench_app(database)
    pages = Pages(app)
    print(json.dumps({"database": "shared" if shared else "its own load"}), flush=True)
    for line in sys.stdin:
        asked = json.loads(line)
        print(json.dumps(pages.time(**asked)), flush=True)


class Baseline:
    """The baseline commit's code in a subprocess, answering Pages.time over a pipe."""

    def __init__(self, revision: str, scratch: Path, database: Path, articles: int):
        source = scratch / "baseline"
        source.mkdir()
        archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", "--format=tar", revision],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
        env = {**os.environ, "PYTHONPATH": str(source),
               "PORTAL_INSTANCE_PATH": str(scratch / "baseline-instance")}
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(database),
                   "--articles", str(articles)]
        self.process = subprocess.Popen(
            command, env=env, cwd=source, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.database = json.loads(self.process.stdout.readline())["database"]

    def ask(self, **request) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def change_a_story(app, number: int) -> None:
    """A change to a story, as an editor's, committed to the database both sides read: the
    current code then uses nothing it kept from before (rendered rows, the sections)."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.news import operations
    from portal.news.models import Article

    with app.app_context():
        oldest = db.session.scalar(select(Article).order_by(Article.id).limit(1))
        oldest.summary = f"Changed by the bench, time {number}."
        operations.update(oldest)
        db.session.commit()


@dataclass(frozen=True)
class Case:
    label: str
    kind: str
    url: str
    fragment: bool = False
    signed_in: bool = False
    after_a_change: bool = False


def cases(order: list[int]) -> list[Case]:
    depths = {"first page": None, "row 30": 29, "halfway": len(order) // 2, "near the end": len(order) - 40}
    listed = [Case(label, kind, "/" if index is None else f"/?after={order[index]}",
                   fragment=kind == "fragment")
              for label, index in depths.items() for kind in ("fragment", "full")]
    return [*listed,
            Case("restored list", "full", f"/?through={order[min(119, len(order) - 1)]}"),
            Case("first page", "signed in", "/", signed_in=True),
            Case("row 30", "signed in", f"/?after={order[29]}", fragment=True, signed_in=True),
            Case("first page", "after a change", "/", after_a_change=True)]


def measure(case: Case, app, pages: Pages, baseline: Baseline | None, repeat: int):
    """Both sides' timings and statements for one case, taking turns (the first side
    alternating); after a change, one request a turn, each after a change of its own."""
    request = {"url": case.url, "fragment": case.fragment, "signed_in": case.signed_in}
    ours, theirs = {"timings": [], "statements": 0}, {"timings": [], "statements": 0}
    pages.time(**request, times=3)  # warming up
    if baseline:
        baseline.ask(**request, times=3)
    turn_size = 1 if case.after_a_change else TURN
    for turn in range(-(-repeat // turn_size)):
        times = min(turn_size, repeat - turn * turn_size)
        for side in ("ours", "theirs") if turn % 2 == 0 else ("theirs", "ours"):
            if side == "theirs" and baseline is None:
                continue
            if case.after_a_change:
                change_a_story(app, 2 * turn + (side == "theirs"))
            if side == "ours":
                measured, totals = pages.time(**request, times=times), ours
            else:
                measured, totals = baseline.ask(**request, times=times), theirs
            totals["timings"] += measured["timings"]
            totals["statements"] = measured["statements"]
    return ours, theirs


def summary(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50, help="requests per page and side")
    parser.add_argument("--baseline", default="ba14da7", help='a commit to compare with ("" for none)')
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.articles)
        return

    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Article, Status

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        database = scratch / "bench.db"
        started = time.perf_counter()
        load(database, args.articles)
        loaded = time.perf_counter() - started
        print(f"demo load: {args.articles:,} stories in {loaded:.1f} s "
              f"({args.articles / loaded:,.0f} stories/s)")
        app = bench_app(database)
        with app.app_context():
            order = db.session.scalars(
                select(Article.id).where(Article.status == Status.published)
                .order_by(Article.published_at.desc(), Article.id.desc())
            ).all()
        pages = Pages(app)
        baseline = Baseline(args.baseline, scratch, database, args.articles) if args.baseline else None
        heading = f"{'page':<14} {'kind':<14} {'median ms':>9} {'p95 ms':>7} {'stmts':>5}"
        if baseline:
            print(f"baseline: {args.baseline} (database: {baseline.database})")
            heading += f" {'base median':>11} {'base p95':>8} {'stmts':>5} {'ratio':>6}"
        print(heading)
        for case in cases(order):
            ours, theirs = measure(case, app, pages, baseline, args.repeat)
            median, p95 = summary(ours["timings"])
            line = f"{case.label:<14} {case.kind:<14} {median:>9.2f} {p95:>7.2f} {ours['statements']:>5}"
            if baseline:
                base_median, base_p95 = summary(theirs["timings"])
                line += (f" {base_median:>11.2f} {base_p95:>8.2f} {theirs['statements']:>5}"
                         f" {median / base_median:>6.2f}")
            print(line, flush=True)
        if baseline:
            baseline.close()


if __name__ == "__main__":
    main()
