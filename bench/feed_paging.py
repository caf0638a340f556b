"""Load N demo stories into a scratch SQLite database, then time the feed's first and deep pages.

    .venv/bin/python bench/feed_paging.py [--articles 1000000] [--repeat 50]

Prints the load time (the `portal demo` path, bulk inserts) and, for the front page, a cursor
page near the top, one halfway down and one near the end, the median and 95th-percentile time of
a whole request through the app (fragment and full page), and its number of SQL statements.
"""

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, select

from portal import create_app
from portal.demo.loader import load_demo
from portal.extensions import db
from portal.models import Article, Status


def main():
    # One log line per request would swamp the figures (and cost time that serving doesn't measure).
    logging.getLogger("portal.requests").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(scratch) / 'bench.db'}",
        })
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            load_demo(articles=args.articles)
            loaded = time.perf_counter() - started
            print(f"demo load: {args.articles:,} stories in {loaded:.1f} s "
                  f"({args.articles / loaded:,.0f} stories/s)")
            order = db.session.scalars(
                select(Article.id).where(Article.status == Status.published)
                .order_by(Article.published_at.desc(), Article.id.desc())
            ).all()
            engine = db.engine

        statements = []
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        client = app.test_client()
        depths = {"first page": None, "row 30": 29, "halfway": len(order) // 2, "near the end": len(order) - 40}
        print(f"{'page':<14} {'kind':<9} {'median ms':>10} {'p95 ms':>8} {'statements':>11}")
        for label, index in depths.items():
            url = "/" if index is None else f"/?after={order[index]}"
            for kind, headers in (("fragment", {"HX-Request": "true"}), ("full", {})):
                timings = []
                for _ in range(args.repeat):
                    statements.clear()
                    started = time.perf_counter()
                    response = client.get(url, headers=headers)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                p95 = statistics.quantiles(timings, n=20)[18]
                print(f"{label:<14} {kind:<9} {statistics.median(timings):>10.2f} {p95:>8.2f} "
                      f"{len(statements):>11}")


if __name__ == "__main__":
    main()
