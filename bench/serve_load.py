"""Load the portal's pages with wrk under gunicorn, as production serves them, beside a bare Flask app.

    .venv/bin/python bench/serve_load.py [--sizes 100000,1000000] [--duration 5] [--rounds 3]
                                         [--page-cache on,off] [--no-docs]

For each corpus size (demo databases cached under instance/bench/) and page cache setting
(PORTAL_PAGE_CACHE=1 / 0), serves the portal in production mode with gunicorn.conf.py (2 workers)
and, in the same run, bench/bare_app.py with the same settings; signs a reader in through the
login form in Chromium; then loads each page with wrk (-t2 -c8, `--duration` seconds, the
browser's Accept-Encoding), `--rounds` times, interleaved with the bare route. Prints, per page,
the medians of requests/s, p50 and p99 latency, bytes on the wire per response, the SQL
statements of one request (counted in-process against the same database and settings, on a cold
and then a warm process) and requests/s as a share of the bare route's; and each worker's peak
memory. Rewrites its section of docs/benchmarks.md and plots docs/bench-throughput.png.
"""

import argparse
import datetime
import gzip
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import harness

from portal.search.engines import BUSY, TOO_SLOW

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
PLOT = harness.PROJECT / "docs" / "bench-throughput.png"
ACCEPT_ENCODING = "gzip, deflate, br"  # what browsers send
# A word in about 0.3% of the demo's stories: ten pages of results at any size, ranked in ~0.1 s
# at a million stories. The commonest words are in most stories, and ranking those runs past the
# search's time budget, which would time the "too broad" answer instead.
SEARCH_WORD = "privacy"


@dataclass
class Page:
    name: str
    path: str
    marker: str  # in every right answer: a story of that page, "Sign out" when signed in
    headers: dict = field(default_factory=dict)
    signed_in: bool = False
    fragment: bool = False
    min_body: int = 0  # set once a right answer was fetched: a compressed answer shorter than half is wrong


@dataclass
class Figures:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    bytes_per_response: float
    off_target: float  # share of answers that were not the page (e.g. "search is busy")
    errors: int


def pages_of(database: Path) -> list[Page]:
    """The pages measured, with the stories they show picked from the database's feed order."""
    from flask import url_for
    from sqlalchemy import func, select

    from portal import create_app
    from portal.extensions import db
    from portal.news.models import Article, Status

    app = create_app({"SECRET_KEY": harness.SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.test_request_context():
        top = harness.feed_order(limit=32)
        published = db.session.scalar(select(func.count()).where(Article.status == Status.published))
        oldest = harness.feed_order(limit=40, offset=published - 40)
        article = db.session.get(Article, top[3])
        article_path = url_for("articles.show", **article.url_values)
        db.session.remove()
        db.engine.dispose()
    fragment = {"HX-Request": "true"}
    return [
        Page("front page", "/", f'id="story-{top[0]}"'),
        Page("deep page", f"/?after={oldest[0]}", f'id="story-{oldest[1]}"'),
        Page("fragment", f"/?after={top[29]}", f'id="story-{top[30]}"', fragment, fragment=True),
        Page("article", article_path, f'src="/articles/{article.id}/qr.svg"'),
        Page("QR image", f"/articles/{article.id}/qr.svg", "<svg"),
        Page("search", f"/search?q={SEARCH_WORD}", "<mark>"),
        Page("signed-in front page", "/", "Sign out", signed_in=True),
    ]


def decoded(body: bytes, encoding: str | None) -> bytes:
    if not encoding or encoding == "identity":
        return body
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli  # flask-compress's dependency: present once the site sends br

        return brotli.decompress(body)
    if encoding == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj().decompress(body)
    raise ValueError(f"unknown Content-Encoding {encoding}")


def check(base_url: str, page: Page, headers: dict, tries: int = 5) -> None:
    """Fetch the page as wrk will, and stop unless it is the right answer (given a few seconds
    after a load, so the searches still queued from it are done)."""
    port = int(base_url.rsplit(":", 1)[1])
    for _ in range(tries):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", page.path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        text = decoded(body, response.getheader("Content-Encoding")).decode("utf-8", "replace")
        if response.status == 200 and page.marker in text and not (page.fragment and "<html" in text):
            page.min_body = len(body) // 2
            return
        time.sleep(1)
    said = next((message for message in (BUSY, TOO_SLOW, "Sign in") if message in text), "")
    raise SystemExit(f"{page.name} ({page.path}): HTTP {response.status}, not the page expected "
                     f"(looked for {page.marker!r}){f'; it said {said!r}' if said else ''}")


def wrk(url: str, headers: dict, marker: str, min_body: int, seconds: int) -> Figures:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(WRK_SCRIPT)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [url, "--", marker, str(min_body)]
    run = subprocess.run(command, check=False, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"{shlex.join(command)} failed: {run.stderr.strip()}")
    totals = json.loads(run.stdout.strip().splitlines()[-1])
    requests = max(totals["requests"], 1)
    return Figures(
        requests_per_s=(totals["requests"] - totals["unexpected"]) / (totals["duration_us"] / 1e6),
        p50_ms=totals["p50_us"] / 1000,
        p99_ms=totals["p99_us"] / 1000,
        bytes_per_response=totals["bytes"] / requests,
        off_target=totals["unexpected"] / requests,
        errors=totals["errors"] + totals["non_2xx_3xx"],
    )


def median_figures(runs: list[Figures]) -> Figures:
    return Figures(*(statistics.median(getattr(run, name) for run in runs)
                     for name in ("requests_per_s", "p50_ms", "p99_ms", "bytes_per_response", "off_target")),
                   errors=sum(run.errors for run in runs))


def count_statements(env: dict, base_url: str, pages: list[Page]) -> dict[str, tuple[int, int]]:
    """SQL statements of each page's request, in a fresh process with the server's settings and
    the pages in turn: the first request for the URL, then the same again (what the page cache
    saves shows in the second)."""
    import logging

    os.environ.update(env)
    logging.getLogger("portal.requests").setLevel(logging.WARNING)
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *call: statements.append(call[2]))
    anonymous, reader = app.test_client(), app.test_client()
    login = reader.get(base_url + "/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login)
    signed_in = reader.post(base_url + "/login", data={
        "email": harness.READER_EMAIL, "password": harness.READER_PASSWORD, "csrf_token": token.group(1)})
    assert signed_in.status_code in (302, 303), signed_in.status_code
    counts = {}
    for page in pages:
        client = reader if page.signed_in else anonymous
        headers = {"Accept-Encoding": ACCEPT_ENCODING, **page.headers}
        per_request = []
        for _ in range(2):
            statements.clear()
            response = client.get(base_url + page.path, headers=headers)
            assert response.status_code == 200, (page.path, response.status_code)
            per_request.append(len(statements))
        counts[page.name] = tuple(per_request)
    return counts


def measure(database: Path, page_cache: bool, pages: list[Page], bare: harness.Server, args) -> dict:
    server = harness.serve_portal(database, page_cache)
    try:
        cookie, user_agent = harness.browser_sign_in(server.url)
        targets = [(Page("bare Flask", "/", "bare Flask"), bare)] + [(page, server) for page in pages]
        request_headers = {}
        for page, target in targets:
            request_headers[page.name] = {"Accept-Encoding": ACCEPT_ENCODING, **page.headers}
            if page.signed_in:
                request_headers[page.name].update({"Cookie": cookie, "User-Agent": user_agent})
            # A second of load first warms the workers (templates, caches, the database's pages).
            wrk(target.url + page.path, request_headers[page.name], page.marker, 0, 1)
            check(target.url, page, request_headers[page.name])
        env = harness.portal_environment(database, server.port, page_cache)
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            statements = pool.submit(count_statements, env, server.url, pages).result()
        runs = {page.name: [] for page, _ in targets}
        # The bare route, then every page, in turn, so the machine's other load weighs on all alike.
        for round_number in range(args.rounds):
            for page, target in targets:
                runs[page.name].append(wrk(target.url + page.path, request_headers[page.name], page.marker,
                                           page.min_body, args.duration))
            print(f"  round {round_number + 1} of {args.rounds} done", flush=True)
        for page, target in targets:  # still signed in, and each page still the page
            check(target.url, page, request_headers[page.name])
        memory = server.worker_peak_memory()
    finally:
        server.stop()
    return {"figures": {name: median_figures(figures) for name, figures in runs.items()},
            "statements": statements, "memory": memory}


def table(size: int, results: dict, pages: list[Page]) -> str:
    lines = [f"**{size:,} stories**", "",
             "| page | page cache | req/s | × bare | p50 ms | p99 ms | bytes/response | SQL first, next | "
             + "off-target | errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for page in ["bare Flask"] + [page.name for page in pages]:
        for cache, result in results.items():
            figures = result["figures"][page]
            ratio = figures.requests_per_s / result["figures"]["bare Flask"].requests_per_s
            sql = "–" if page == "bare Flask" else "{}, {}".format(*result["statements"][page])
            lines.append(f"| {page} | {cache} | {figures.requests_per_s:,.0f} | {ratio:.3f} | "
                         f"{figures.p50_ms:.1f} | {figures.p99_ms:.1f} | {figures.bytes_per_response:,.0f} | "
                         f"{sql} | {figures.off_target:.0%} | {figures.errors} |")
    memory = "; ".join(f"page cache {cache}: " + ", ".join(f"{peak / 2**20:.0f}" for peak in result["memory"])
                       for cache, result in results.items())
    lines += ["", f"Peak memory of each portal worker (VmHWM, MiB): {memory}."]
    return "\n".join(lines)


def plot(all_results: dict, pages: list[Page]) -> None:
    """Requests/s against corpus size: a colour per page, page cache on solid with filled marks,
    off dashed with hollow ones."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullFormatter

    sizes = sorted(all_results)
    figure, axes = pyplot.subplots(figsize=(9, 5.5), dpi=110)
    colours = pyplot.get_cmap("tab10")
    legend = []
    for index, name in enumerate(["bare Flask"] + [page.name for page in pages]):
        colour = "black" if name == "bare Flask" else colours(index - 1)
        legend.append(Line2D([], [], color=colour, marker="o", label=name))
        for cache, style, face in (("on", "-", colour), ("off", "--", "white")):
            points = [(size, all_results[size][cache]["figures"][name].requests_per_s)
                      for size in sizes if cache in all_results[size]]
            if points:
                axes.plot(*zip(*points), style, marker="o", color=colour, markerfacecolor=face)
    legend += [Line2D([], [], color="grey", marker="o", label="page cache on"),
               Line2D([], [], color="grey", marker="o", linestyle="--", markerfacecolor="white",
                      label="page cache off")]
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.set_xlim(min(sizes) / 2, max(sizes) * 2)
    axes.set_xlabel("stories in the database (SQLite)")
    axes.set_ylabel("requests/s (median of the rounds)")
    axes.set_title("Throughput under wrk -t2 -c8, gunicorn 2 workers (bench/serve_load.py)", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(handles=legend, fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
    figure.tight_layout()
    figure.savefig(PLOT)
    pyplot.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="corpus sizes, comma-separated")
    parser.add_argument("--duration", type=int, default=5, help="whole seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each page (medians reported)")
    parser.add_argument("--page-cache", default="on,off", help="PORTAL_PAGE_CACHE settings to measure")
    parser.add_argument("--no-docs", action="store_true", help="print only: leave docs/ as it is")
    parser.add_argument("--note", help="a paragraph to add to the section in docs/ (what was measured)")
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]
    caches = args.page_cache.split(",")
    if not set(caches) <= {"on", "off"}:
        parser.error("--page-cache takes on, off or on,off")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    started, load_before = datetime.datetime.now(datetime.UTC), os.getloadavg()

    bare = harness.gunicorn("bare_app:app", harness.free_port(), {}, "bare", "/",
                            ["--pythonpath", str(Path(__file__).parent)])
    all_results, pages = {}, []
    try:
        for size in sizes:
            database = harness.demo_database(size)
            pages = pages_of(database)
            all_results[size] = {}
            for cache in caches:
                print(f"{size:,} stories, page cache {cache}", flush=True)
                all_results[size][cache] = measure(database, cache == "on", pages, bare, args)
        bare_memory = bare.worker_peak_memory()
    finally:
        bare.stop()

    load_after = os.getloadavg()
    tables = "\n\n".join(table(size, all_results[size], pages) for size in sizes)
    bare_line = ("Peak memory of each bare Flask worker (VmHWM, MiB): "
                 + ", ".join(f"{peak / 2**20:.0f}" for peak in bare_memory) + ".")
    print("\n" + tables + "\n\n" + bare_line)
    if not args.no_docs:
        plot(all_results, pages)
        text = section(args, started, (load_before, load_after), tables, bare_line)
        harness.replace_section("serve_load", text)
        print(f"wrote the serve_load section of docs/benchmarks.md, and docs/{PLOT.name}")


def section(args, started, load_averages, tables: str, bare_line: str) -> str:
    command = ".venv/bin/python bench/serve_load.py" + "".join(" " + shlex.quote(arg) for arg in sys.argv[1:])
    # wrk -v prints its version, then its usage, and exits 1.
    wrk_version = subprocess.run(["wrk", "-v"], check=False, capture_output=True, text=True).stdout
    wrk_version = wrk_version.split(" [")[0]
    before, after = (", ".join(f"{figure:.2f}" for figure in figures) for figures in load_averages)
    note = "\n" + textwrap.fill(args.note, width=100) if args.note else ""
    return f"""
## Serving under load: every page against a bare Flask app

```
{command}
```

Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, {platform.python_implementation()} \
{platform.python_version()}, {wrk_version}.
Load average (1, 5, 15 min): {before} before; {after} after.
`make bench` runs it with the defaults (100,000 and 1,000,000 stories, 5 s runs, 3 rounds).{note}

gunicorn as production runs it (`gunicorn.conf.py`: gthread, here 2 workers; production mode;
SQLite demo databases under `instance/bench/`; workers not recycled during the run), and beside it
`bench/bare_app.py` (one route returning a short HTML string) with the same settings. wrk on the
same 2 cores over loopback: `-t2 -c8`, {args.duration} s a run, `Accept-Encoding: {ACCEPT_ENCODING}`,
{args.rounds} rounds of the bare route then each page, medians shown. The signed-in front page is
requested with the cookies and User-Agent of a Chromium that signed in through the login form, as
a reader with 40 bookmarks (15 of them among the front page's 30 stories). *req/s*: answers a
second that were the page asked for; *off-target*: the share of answers that were not (a search
answered "busy": one search runs at a time on the machine, and a busy answer comes back at once,
so its client asks again straight away). *× bare*: req/s over the bare route's in the same run
(the bare rows are the bare route measured in each run). *bytes/response*: read off the wire
(headers and body) over requests. *SQL first, next*: statements of the first request for the URL
and of the same request again, counted in-process (one fresh process with the server's settings
and database, asking for the pages in the table's order). The search is `?q={SEARCH_WORD}`, a word
in about 0.3% of the stories.

![Requests/s against corpus size, page cache on and off](bench-throughput.png)

{tables}

{bare_line}
"""


if __name__ == "__main__":
    main()
