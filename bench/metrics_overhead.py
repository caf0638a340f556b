"""What recording a request's metrics costs (portal.web.metrics), in one process and in
prometheus_client's multiprocess mode (gunicorn with several workers).

    .venv/bin/python bench/metrics_overhead.py [--statements 3] [--number 100000]

Prints, per request: the middleware's share (passing a request on and starting its tally), the
after_request hook (a count, a latency observation, the statements' count), and each statement's
listener call. Runs itself again with PROMETHEUS_MULTIPROC_DIR set for the second mode.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import timeit

from flask import Response


def measure(statements: int, number: int) -> None:
    from portal import create_app
    from portal.web.metrics import MetricsMiddleware, count_statement

    scratch = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/b.db"})
    metrics = app.extensions["portal_metrics"]
    environ = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}

    def served(_environ, _start_response):
        return []

    bare = MetricsMiddleware(served, None, None, None)
    response = Response("ok")

    def best(fn) -> float:
        return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6

    with app.test_request_context("/healthz"):
        from flask import request

        request.url_rule = next(app.url_map.iter_rules("ops.healthz"))

        def one_request():
            bare(environ, None)
            for _ in range(statements):
                count_statement()
            metrics.finish_request(response)

        passing = best(lambda: bare(environ, None)) - best(lambda: served(environ, None))
        whole = best(one_request)
        bare(environ, None)  # a tally open, as while a view runs
        listener = best(count_statement)
    mode = "multiprocess" if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else "one process"
    print(f"{mode}: {whole:.1f} µs a request with {statements} statements "
          f"(middleware {passing:.2f} µs, a statement {listener:.2f} µs)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=3)
    parser.add_argument("--number", type=int, default=100_000)
    parser.add_argument("--only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    measure(args.statements, args.number)
    if not args.only:
        with tempfile.TemporaryDirectory() as directory:
            # The mode is chosen when prometheus_client is imported: a fresh interpreter.
            subprocess.run([sys.executable, __file__, "--only", "--statements", str(args.statements),
                            "--number", str(args.number)],
                           env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory}, check=True)


if __name__ == "__main__":
    main()
