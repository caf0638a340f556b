"""Time the QR endpoint: rendering uncached, and the cached path's throughput.

    .venv/bin/python bench/qr.py [--renders 300] [--requests 3000]

Uncached: render_qr() itself (segno, and Pillow for the PNG's size; the caches sit in front of
it, and its cache of encoded codes is emptied before each), for SVG and PNG at the
default and a large size. Cached: whole requests through the app (Flask test client:
option parsing, the article lookup, the ETag, the cache hit), as a 200 with the body and as a
304 for a matching If-None-Match, in requests per second on one thread.
"""

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from portal import create_app
from portal.demo.loader import load_demo
from portal.extensions import db
from portal.news.share import QrOptions, encode, render_qr


def timed(call, times):
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def main():
    # One log line per request would swamp the figures (and cost time that serving doesn't measure).
    logging.getLogger("portal.requests").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=300)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()

    url = "https://news.example.com/s/3d"
    print(f"{'uncached render':<28} {'median ms':>10} {'p95 ms':>8}")
    for kind in ("svg", "png"):
        for size in (256, 1024):
            options = QrOptions(size=size)

            def render(options=options, kind=kind):
                encode.cache_clear()  # the whole render: encoding the code too
                render_qr(url, options, kind)

            median, p95 = timed(render, args.renders)
            print(f"{kind} size={size:<18} {median:>10.2f} {p95:>8.2f}")

    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({"SECRET_KEY": "bench", "PUBLIC_URL": "https://news.example.com",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(scratch) / 'bench.db'}"})
        with app.app_context():
            db.create_all()
            load_demo(articles=200)
        client = app.test_client()
        print(f"\n{'cached request':<28} {'req/s':>10} {'median ms':>10}")
        for kind in ("svg", "png"):
            path = f"/articles/150/qr.{kind}?size=512"
            etag = client.get(path).headers["ETag"]
            for label, headers in (("200 from cache", {}), ("304", {"If-None-Match": etag})):
                started = time.perf_counter()
                samples = []
                for _ in range(args.requests):
                    t = time.perf_counter()
                    response = client.get(path, headers=headers)
                    samples.append((time.perf_counter() - t) * 1000)
                    assert response.status_code in (200, 304)
                elapsed = time.perf_counter() - started
                print(f"{kind} {label:<24} {args.requests / elapsed:>10,.0f} {statistics.median(samples):>10.2f}")


if __name__ == "__main__":
    main()
