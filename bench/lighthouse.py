"""Lighthouse scores of the front page, an article and search, served as production serves them.

    .venv/bin/python bench/lighthouse.py [--articles 100000] [--no-docs]

Installs npm's lighthouse (LIGHTHOUSE_VERSION) under instance/bench/lighthouse the first time,
serves the demo database of `--articles` stories (built and cached as serve_load.py does) with
gunicorn in production mode on loopback, and runs Lighthouse against each page with its defaults,
the mobile preset and simulated throttling, in Debian's Chromium. Prints the performance,
accessibility, best-practices and SEO scores and rewrites its section of docs/benchmarks.md.
"""

import argparse
import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import harness

# Lighthouse 13 needs Node 22; Debian's Node is 20.
LIGHTHOUSE_VERSION = "12.2.3"
INSTALL = harness.CACHE / "lighthouse"
CLI = INSTALL / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse_cli() -> Path:
    installed = INSTALL / "node_modules" / "lighthouse" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == LIGHTHOUSE_VERSION:
        return CLI
    if not shutil.which("npm"):
        raise SystemExit("npm is missing: apt-get install npm")
    INSTALL.mkdir(parents=True, exist_ok=True)
    print(f"installing lighthouse {LIGHTHOUSE_VERSION} under instance/bench/lighthouse", flush=True)
    subprocess.run(["npm", "install", "--prefix", str(INSTALL), "--save-exact", "--no-audit", "--no-fund",
                    f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return CLI


def audit(cli: Path, url: str, report: Path) -> dict:
    """Category scores (0-100), the audits that lost points and the console errors, from one
    Lighthouse run (its whole report is left at `report`)."""
    env = {**os.environ, "CHROME_PATH": harness.CHROMIUM}
    run = subprocess.run(
        ["node", str(cli), url, "--output=json", f"--output-path={report}", "--quiet",
         "--chrome-flags=" + " ".join(harness.CHROMIUM_ARGS)],
        check=False, env=env, capture_output=True, text=True, timeout=300)
    if run.returncode != 0 or not report.exists():
        raise SystemExit(f"lighthouse failed on {url} (exit {run.returncode}):\n{run.stderr.strip()[-3000:]}")
    result = json.loads(report.read_text())
    if result.get("runtimeError"):
        raise SystemExit(f"lighthouse could not load {url}: {result['runtimeError']}")
    scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    lost = {audit["title"] for category in CATEGORIES for ref in result["categories"][category]["auditRefs"]
            if ref["weight"] > 0 and (audit := result["audits"][ref["id"]])["score"] is not None
            and audit["score"] < 0.9}
    console = [item["description"] for item in result["audits"]["errors-in-console"]["details"]["items"]]
    metrics = {key: result["audits"][key]["displayValue"]
               for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                           "cumulative-layout-shift")}
    return {"scores": scores, "lost": sorted(lost), "metrics": metrics, "console": console}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="stories in the demo database")
    parser.add_argument("--htmx-cdn", choices=("on", "off"), default="off",
                        help="PORTAL_HTMX_CDN (off: production's default, the vendored copy; on: the CDN, "
                             "unreachable from a machine offline)")
    parser.add_argument("--no-docs", action="store_true", help="print only: leave docs/ as it is")
    args = parser.parse_args()
    if not Path(harness.CHROMIUM).exists():
        raise SystemExit(f"{harness.CHROMIUM} is missing: `make bench` installs Debian's chromium")
    cli = lighthouse_cli()
    database = harness.demo_database(args.articles)
    started = datetime.datetime.now(datetime.UTC)
    server = harness.serve_portal(database, PORTAL_HTMX_CDN="1" if args.htmx_cdn == "on" else "0")
    try:
        from serve_load import pages_of  # the same article and search as the load test

        pages = {page.name: page.path for page in pages_of(database)}
        targets = {"front page": "/", "article": pages["article"], "search": pages["search"]}
        results = {}
        for name, path in targets.items():
            print(f"lighthouse: {name} ({path})", flush=True)
            report = harness.CACHE / f"lighthouse-{name.replace(' ', '-')}.json"
            results[name] = audit(cli, server.url + path, report)
    finally:
        server.stop()

    lines = ["| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, result in results.items():
        scores, metrics = result["scores"], result["metrics"]
        lines.append(f"| {name} | " + " | ".join(str(scores[category]) for category in CATEGORIES) + " | "
                     + " | ".join(metrics.values()).replace("\xa0", " ") + " |")
    notes = ["Audits scored under 0.9:", *(f"- {name}: {', '.join(result['lost'])}"
                                          for name, result in results.items() if result["lost"])]
    if any(result["console"] for result in results.values()):
        notes += ["", "Errors in the browser's console:",
                  *(f"- {name}: {error}" for name, result in results.items() for error in result["console"])]
    report = "\n".join(lines) + "\n\n" + "\n".join(notes)
    print("\n" + report)
    if not args.no_docs:
        harness.replace_section("lighthouse", section(args, started, report))
        print(f"wrote the lighthouse section of {harness.BENCHMARKS_DOC.relative_to(harness.PROJECT)}")


def section(args, started, report: str) -> str:
    chromium = subprocess.run([harness.CHROMIUM, "--version"], check=True, capture_output=True,
                              text=True).stdout.strip()
    command = ".venv/bin/python bench/lighthouse.py" + "".join(" " + shlex.quote(arg) for arg in sys.argv[1:])
    offline = ("on. This machine has no internet, so the CDN's host does not resolve (a console error) "
               "and each page runs the vendored copy it falls back to, as when the CDN is down.")
    setting = offline if args.htmx_cdn == "on" else "off, as in production: the vendored copy only."
    cdn = textwrap.fill("The htmx CDN: " + setting, width=100)
    return f"""
## Lighthouse: front page, article, search

```
{command}
```

Run {started:%Y-%m-%d %H:%M} UTC: Lighthouse {LIGHTHOUSE_VERSION} (npm, installed under
`instance/bench/lighthouse`), {chromium}, headless.

Lighthouse's defaults: the mobile preset and simulated throttling (a mid-range phone on a slow 4G
link, modelled from a run over loopback). The server: gunicorn in production mode
(`gunicorn.conf.py`, 2 workers) over plain HTTP on 127.0.0.1, the {args.articles:,}-story demo
database, a reader signed out. `make bench` runs it; the whole reports are left in
`instance/bench/lighthouse-*.json`. Performance moves by a few points between runs on the 2
shared cores.

{cdn}

{report}
"""


if __name__ == "__main__":
    main()
