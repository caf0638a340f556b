"""Where a signed-in reader's front page spends its time, in-process, beside the pages it is
compared with: the bare Flask route, /healthz (the portal's request machinery and response hooks
with no page), and the anonymous front page answered from the page store.

Each request is a direct WSGI call (no server, no sockets) and is timed in CPU time of this
thread, so other load on the machine weighs little. The signed-in reader is the bench reader of
serve_load.py (40 bookmarks, 15 of them on the front page; 2,000 stories read, 10 of them on the
front page, and a last visit to it), signed in through the login form;
the parts are timed by wrapping the functions that do them, in a separate series.

    .venv/bin/python bench/signed_in_costs.py [--size 100000] [--requests 2000]
"""

import argparse
import collections
import datetime
import logging
import os
import platform
import re
import shlex
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import harness

ACCEPT_ENCODING = "gzip, deflate, br"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"


def environ_for(app_url: str, path: str, cookie: str | None) -> dict:
    from werkzeug.test import EnvironBuilder

    headers = {"Accept-Encoding": ACCEPT_ENCODING, "User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    environ = EnvironBuilder(path=path, base_url=app_url, headers=headers).get_environ()
    environ["REMOTE_ADDR"] = "127.0.0.1"  # as the sign-in came from: session protection compares it
    return environ


def call(app, environ: dict) -> tuple[str, bytes]:
    status = []
    body = b"".join(app(dict(environ), lambda line, headers, exc_info=None: status.append(line)))
    return status[0], body


def cpu_ms(app, environ: dict, requests: int, marker: bytes | None = None) -> float:
    """Median over five series of CPU ms a request."""
    status, body = call(app, environ)
    assert status.startswith("200"), status
    assert marker is None or marker in body, "not the page asked for"
    for _ in range(50):
        call(app, environ)
    series = []
    for _ in range(5):
        started = time.thread_time()
        for _ in range(requests // 5):
            call(app, environ)
        series.append((time.thread_time() - started) / (requests // 5) * 1000)
    return statistics.median(series)


def signed_in_cookie(app, base_url: str) -> str:
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR="127.0.0.1")
    login = client.get(base_url + "/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    response = client.post(base_url + "/login", data={
        "email": harness.READER_EMAIL, "password": harness.READER_PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.status_code
    assert b"Sign out" in client.get(base_url + "/").data  # and the session now holds its CSRF secret
    return "; ".join(f"{cookie.key}={cookie.value}" for cookie in client._cookies.values())


class PartTimer:
    """Wall time spent inside some functions of the request, as they are called."""

    def __init__(self):
        self.spent = collections.Counter()

    def wrap(self, owner, name: str, label: str) -> None:
        inner = getattr(owner, name)
        spent = self.spent

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        setattr(owner, name, timed)


def parts_ms(app, environ: dict, requests: int) -> list[tuple[str, float]]:
    from portal.accounts import auth
    from portal.extensions import compress
    from portal.news import kept_lists

    timer = PartTimer()
    timer.wrap(auth, "session_for_key", "the reader's sign-in (query)")
    timer.wrap(kept_lists, "reader_state", "their marks among the page's: saved, read, last visit (query)")
    timer.wrap(kept_lists, "content_version", "the content version (query)")
    timer.wrap(kept_lists, "generate_csrf", "their CSRF token (signed)")
    timer.wrap(kept_lists.KeptList, "body_for", "joining the kept page")
    timer.wrap(compress, "after_request", "compression (brotli)")
    timer.wrap(app.session_interface, "open_session", "reading the session cookie (signed)")
    timer.wrap(app, "wsgi_app", "whole request")
    for _ in range(50):
        call(app, environ)
    timer.spent.clear()
    for _ in range(requests):
        call(app, environ)
    whole = timer.spent.pop("whole request")
    rows = [(label, spent / requests * 1000) for label, spent in timer.spent.most_common()]
    rows.append(("the rest: Flask, Flask-Login, the other hooks", (whole - sum(timer.spent.values())) / requests * 1000))
    return [("whole request (timed with the parts)", whole / requests * 1000)] + rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="demo stories")
    parser.add_argument("--requests", type=int, default=2000, help="requests a measurement")
    parser.add_argument("--no-docs", action="store_true", help="print only: leave docs/ as it is")
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC)
    database = harness.demo_database(args.size)
    port = 8000
    os.environ.update(harness.portal_environment(database, port, page_cache=True))
    logging.getLogger("portal.requests").setLevel(logging.WARNING)
    import bare_app

    from portal import create_app

    app = create_app()
    base_url = f"http://127.0.0.1:{port}"
    cookie = signed_in_cookie(app, base_url)
    pages = [
        ("bare Flask route", bare_app.app, environ_for(base_url, "/", None), b"bare Flask"),
        ("/healthz", app, environ_for(base_url, "/healthz", None), None),
        ("anonymous front page (stored)", app, environ_for(base_url, "/", None), None),
        ("signed-in front page", app, environ_for(base_url, "/", cookie), None),
    ]
    figures = [(name, cpu_ms(wsgi, environ, args.requests, marker)) for name, wsgi, environ, marker in pages]
    parts = parts_ms(app, environ_for(base_url, "/", cookie), args.requests)

    lines = ["| request | CPU ms a request |", "|---|---:|"]
    lines += [f"| {name} | {ms:.3f} |" for name, ms in figures]
    lines += ["", "| part of the signed-in front page | ms a request |", "|---|---:|"]
    lines += [f"| {label} | {ms:.3f} |" for label, ms in parts]
    tables = "\n".join(lines)
    print(tables)
    if not args.no_docs:
        command = ".venv/bin/python bench/signed_in_costs.py" + "".join(" " + shlex.quote(a) for a in sys.argv[1:])
        harness.replace_section("signed_in_costs", f"""
## Where a signed-in page's time goes

```
{command}
```

Run {started:%Y-%m-%d %H:%M} UTC, {platform.python_implementation()} {platform.python_version()},
{args.size:,} stories, page cache on, production settings. Direct WSGI calls in one process (no
server, no sockets), CPU time of the calling thread, median of five series of {args.requests // 5}.
The parts (a separate series, wall time inside the functions named) add up to the whole request.

{tables}
""")
        print("wrote the signed_in_costs section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
