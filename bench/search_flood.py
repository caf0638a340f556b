"""Flood the search with worst-case queries and time the front page meanwhile.

    .venv/bin/python bench/search_flood.py [--articles 300000] [--seconds 20] [--clients 8]
                                           [--threads 4] [--budget MS] [--concurrency N] [--queue N]
                                           [--page-cache off|on]

Builds a SQLite database of demo stories once (kept under the temp dir and reused: the load takes
about a minute), serves it with gunicorn as production does (gunicorn.conf.py: gthread workers,
here 2 workers x 4 threads) on 127.0.0.1, then times the full front page from one client: alone,
and while `--clients` other clients send searches back to back. Their queries are the worst the
caps allow: MAX_WORDS of the corpus's commonest words in MAX_ALTERNATIVES alternatives, drawn anew
for each request. Prints both medians and their ratio, and what the searchers were answered.
`--budget 0 --concurrency 0` lifts the time budget and the concurrency limit: search as it was
before they existed (the caps stay, but a query at the caps costs as much as one past them).
The page cache is off unless `--page-cache on`: a stored front page costs so little that the
ratio would mostly say how much CPU the searchers take, not what they do to a render.
"""

import argparse
import http.client
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import text

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # this checkout's portal, whichever one the venv installed

from portal import create_app
from portal.demo.loader import load_demo
from portal.extensions import db
from portal.search.engines import TOO_SLOW
from portal.search.query import MAX_ALTERNATIVES, MAX_WORDS, is_too_broad, parse_query

# The demo corpus's commonest words (fts5vocab: each is in 60-100% of the stories).
COMMON_WORDS = ["the", "and", "for", "that", "will", "more", "customers", "next", "with", "month",
                "plan", "have", "year", "what", "said", "changes", "details", "announced", "people"]
BUSY = "Search is busy"


def demo_database(articles: int) -> Path:
    """The demo database for this many stories, built on first use and kept for the next run."""
    path = Path(tempfile.gettempdir()) / "portal-bench" / f"search-flood-{articles}.db"
    if path.exists():
        # Tables added since the database was built (create_all leaves existing ones alone).
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        print(f"database: {path} (reused)")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for stale in path.parent.glob(building.name + "*"):
        stale.unlink()
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{building}"})
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        load_demo(articles=articles)
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    building.rename(path)  # only a finished load is ever reused
    print(f"database: {path} ({articles:,} stories loaded in {time.perf_counter() - started:.0f} s)")
    return path


def worst_query(rng: random.Random) -> str:
    words = rng.sample(COMMON_WORDS, MAX_WORDS)
    cuts = sorted(rng.sample(range(1, MAX_WORDS), MAX_ALTERNATIVES - 1))
    groups = [words[a:b] for a, b in zip([0, *cuts], [*cuts, MAX_WORDS])]
    query = " OR ".join(" ".join(group) for group in groups)
    assert not is_too_broad(parse_query(query)), query
    return query


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(database: Path, port: int, args) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": "bench",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_WORKERS": str(args.workers),
        "PORTAL_THREADS": str(args.threads),
    }
    env["PORTAL_PAGE_CACHE"] = "1" if args.page_cache == "on" else "0"
    if args.budget is not None:
        env["PORTAL_SEARCH_TIME_BUDGET"] = str(args.budget)
    if args.concurrency is not None:
        env["PORTAL_SEARCH_CONCURRENCY"] = str(args.concurrency)
    if args.queue is not None:
        env["PORTAL_SEARCH_QUEUE"] = str(args.queue)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # The per-request log lines go nowhere, but they are still written, as in production.
    server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = get(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "/readyz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start within 30 s")


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, str]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode()


def time_front_page(port: int, seconds: float) -> list[float]:
    """Milliseconds per full front page, one request after another, for `seconds`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    timings = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        started = time.perf_counter()
        status, _ = get(connection, "/")
        timings.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    connection.close()
    return timings


def search_client(port: int, seed: int, stop_at: float, results: multiprocessing.Queue) -> None:
    """One worst-case searcher: a query, its answer, at once the next one, until `stop_at`."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    outcomes: dict[str, int] = {}
    timings = []
    while time.time() < stop_at:
        started = time.perf_counter()
        status, body = get(connection, "/search?" + urlencode({"q": worst_query(rng)}))
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            outcome = f"HTTP {status}"
        elif TOO_SLOW in body:
            outcome = "too broad (time budget)"
        elif BUSY in body:
            outcome = "busy"
        else:
            outcome = "results"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    connection.close()
    results.put((outcomes, timings))


def flood_search(port: int, args):
    """Start the searchers (for as long as the front page is timed, and a little more); the
    returned call waits for them and gives each one's outcomes and timings."""
    stop_at = time.time() + 1 + args.seconds / args.rounds + 0.5
    results = multiprocessing.Queue()
    clients = [multiprocessing.Process(target=search_client, args=(port, random.randrange(2**32), stop_at, results))
               for _ in range(args.clients)]
    for client in clients:
        client.start()
    time.sleep(1)  # every searcher under way

    def finish():
        answers = [results.get(timeout=120) for _ in clients]
        for client in clients:
            client.join()
        return answers

    return finish


def summary(timings: list[float]) -> str:
    p95 = statistics.quantiles(timings, n=20)[18]
    return f"{len(timings):>9} {statistics.median(timings):>10.1f} {p95:>8.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=20, help="of each measurement (alone, flooded)")
    parser.add_argument("--rounds", type=int, default=4, help="turns the measurements are taken in")
    parser.add_argument("--clients", type=int, default=8, help="worst-case searchers")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--budget", type=int, help="PORTAL_SEARCH_TIME_BUDGET, ms (default: the app's)")
    parser.add_argument("--concurrency", type=int, help="PORTAL_SEARCH_CONCURRENCY (default: the app's)")
    parser.add_argument("--queue", type=int, help="PORTAL_SEARCH_QUEUE (default: the app's)")
    parser.add_argument("--page-cache", choices=("off", "on"), default="off",
                        help="off (the default): the front page is rendered each time, so the ratio "
                             "says what searches cost rendering; on: readers get stored pages")
    args = parser.parse_args()

    database = demo_database(args.articles)
    port = free_port()
    server = serve(database, port, args)
    try:
        settings = {"budget": args.budget, "concurrency": args.concurrency, "queue": args.queue}
        print(f"gunicorn gthread, {args.workers} workers x {args.threads} threads, 127.0.0.1:{port}; search "
              + ", ".join(f"{name} {'default' if value is None else value}" for name, value in settings.items()))
        print(f"worst-case query, e.g.: {worst_query(random.Random(0))}")
        time_front_page(port, 2)  # warm up: each worker's connections and templates
        alone, flooded, search_timings, outcomes = [], [], [], {}
        # Alone and flooded by turns, so a change in the machine's other load shows in both.
        for _ in range(args.rounds):
            alone += time_front_page(port, args.seconds / args.rounds)
            flood = flood_search(port, args)
            flooded += time_front_page(port, args.seconds / args.rounds)
            for counts, timings in flood():
                search_timings += timings
                for outcome, count in counts.items():
                    outcomes[outcome] = outcomes.get(outcome, 0) + count
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"\n{'front page':<32} {'requests':>9} {'median ms':>10} {'p95 ms':>8}")
    print(f"{'alone':<32} {summary(alone)}")
    print(f"{f'with {args.clients} worst-case searchers':<32} {summary(flooded)}")
    print(f"{'searches':<32} {summary(search_timings)}")
    ratio = statistics.median(flooded) / statistics.median(alone)
    print(f"\nmedian ratio, flooded / alone: {ratio:.2f} (target: at most 2)")
    print("searchers were answered: " + ", ".join(f"{outcome} {count}" for outcome, count in sorted(outcomes.items())))


if __name__ == "__main__":
    main()
