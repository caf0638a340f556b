"""Open streams (/live/stream) under gunicorn as `make serve` runs it: 1,000 and 5,000 of them
held by a client process, stories published meanwhile.

Reports, for each number of streams: the delay from a story's commit to its notice on every
stream (p50, p95, p99, max), on SQLite alone and with Redis (when PORTAL_BENCH_REDIS_URL, or a
Redis on 127.0.0.1:6379, answers); the workers' memory per open stream; the front page's
requests/s with the streams open against without (three runs each, medians); the workers' CPU
while idle with the streams open; and the time for the streams to reconnect after the workers
restart (SIGHUP to gunicorn: new workers, the old ones end their streams at once). Writes
docs/benchmarks.md's section "streams".

    .venv/bin/python bench/streams.py
"""

import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import harness

STREAM_COUNTS = (1000, 5000)
PUBLICATIONS = 8  # per run, 1.5 s apart
LIST_SIZE = 10_000  # stories in the bench database
WRK = ["wrk", "-t2", "-c8", "-d5s", "-H", "Accept-Encoding: gzip, deflate, br"]
COUNT = re.compile(rb"(\d+)\+? new stor")


def publish(database: Path, title: str) -> float:
    """A story published through the publishing path in this process; the wall-clock time of
    its commit."""
    from portal import create_app
    from portal.extensions import db
    from portal.models import Article, Author, Section
    from portal.news import operations

    app = publish.app = getattr(publish, "app", None) or create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "x", "REDIS_URL": publish.redis})
    with app.app_context():
        article = Article(title=title, slug="bench", summary="", body="Bench.",
                          section_id=db.session.scalar(db.select(Section.id).limit(1)))
        article.set_authors([db.session.scalar(db.select(Author).limit(1))])
        operations.publish(article)
        db.session.commit()
        return time.time()


publish.redis = None


class Streams:
    """N streams held by this process (asyncio), as browsers' EventSources hold them."""

    def __init__(self, port: int, top_id: int, count: int):
        self.port, self.top_id, self.count = port, top_id, count
        self.ready = [0.0] * count  # when each last heard "ready"
        self.seen = [{} for _ in range(count)]  # stream -> {notice count: wall-clock arrival}
        self.tasks = []
        self.retry = [2.0] * count
        self.reconnecting = False

    async def open(self):
        self.tasks = [asyncio.create_task(self._hold(i)) for i in range(self.count)]
        while sum(1 for t in self.ready if t) < self.count:
            await asyncio.sleep(0.1)

    async def _hold(self, i: int):
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 16)
                writer.write(f"GET /live/stream?newest={self.top_id} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Accept: text/event-stream\r\n\r\n".encode())
                await writer.drain()
                event = b""
                while line := await reader.readline():
                    if line.startswith(b"retry:"):
                        self.retry[i] = int(line.split(b":")[1]) / 1000
                    elif line.startswith(b"event:"):
                        event = line[6:].strip()
                    elif line.startswith(b"data:") and event == b"ready":
                        self.ready[i] = time.time()
                    elif line.startswith(b"data:") and event == b"notice" and (found := COUNT.search(line)):
                        self.seen[i].setdefault(int(found.group(1)), time.time())
                writer.close()
            except OSError:
                pass
            await asyncio.sleep(self.retry[i])  # as EventSource does, after the server's retry

    async def close(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def worker_pids(server) -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields["PPid"]) == server.process.pid:
            pids.append(int(status.parent.name))
    return pids


def rss(server) -> int:
    total = 0
    for pid in worker_pids(server):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def cpu_seconds(server) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in worker_pids(server):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def requests_per_second(url: str) -> float:
    output = subprocess.run([*WRK, url], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def latency_run(server, database, top_id, count) -> dict:
    streams = Streams(server.port, top_id, count)
    before = rss(server)
    await streams.open()
    await asyncio.sleep(2)
    per_stream = (rss(server) - before) / count
    delays = []
    committed = {}
    for n in range(1, PUBLICATIONS + 1):
        committed[n] = await asyncio.to_thread(publish, database, f"Bench story {n}")
        await asyncio.sleep(1.5)
    await asyncio.sleep(3)
    missing = 0
    for seen in streams.seen:
        for n, at in committed.items():
            arrived = min((t for c, t in seen.items() if c >= n), default=None)
            if arrived is None:
                missing += 1
            else:
                delays.append(arrived - at)
    idle_from = cpu_seconds(server)
    await asyncio.sleep(10)
    idle_cpu = (cpu_seconds(server) - idle_from) / 10
    result = {"streams": count, "p50": percentile(delays, 0.5), "p95": percentile(delays, 0.95),
              "p99": percentile(delays, 0.99), "max": max(delays), "missing": missing,
              "bytes_per_stream": per_stream, "idle_cpu": idle_cpu, "streams_obj": streams}
    return result


async def reconnect_time(server, streams: Streams) -> tuple[float, float]:
    restarted = time.time()
    os.kill(server.process.pid, signal.SIGHUP)
    deadline = restarted + 60
    t99 = None
    while time.time() < deadline:
        back = sum(1 for t in streams.ready if t > restarted)
        if t99 is None and back >= 0.99 * streams.count:
            t99 = time.time() - restarted
        if back == streams.count:
            return t99, time.time() - restarted
        await asyncio.sleep(0.1)
    return t99 or float("inf"), float("inf")


def redis_url() -> str | None:
    url = os.environ.get("PORTAL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
        return url
    except Exception:  # noqa: BLE001 (no Redis here: the SQLite runs alone)
        return None


async def main():
    database = harness.demo_database(LIST_SIZE)
    lines = []
    for backend, redis in (("SQLite", None), ("SQLite + Redis", redis_url())):
        if backend.endswith("Redis") and redis is None:
            lines.append("| with Redis | (no Redis answered: not run) | | | | | | | |")
            continue
        publish.redis, publish.app = redis, None
        extra = {"PORTAL_STREAMS_PER_ADDRESS": "100000"}
        if redis:
            extra["PORTAL_REDIS_URL"] = redis
        for count in STREAM_COUNTS:
            server = harness.serve_portal(database, **extra)
            try:
                from sqlite3 import connect

                with connect(database) as connection:
                    top_id = connection.execute("SELECT id FROM articles WHERE status = 'published' "
                                                "ORDER BY published_at DESC, id DESC LIMIT 1").fetchone()[0]
                without = [requests_per_second(server.url + "/")]
                run = await latency_run(server, database, top_id, count)
                streams = run.pop("streams_obj")
                with_streams = [requests_per_second(server.url + "/")]
                for _ in range(2):
                    await streams.close()
                    await asyncio.sleep(1)
                    without.append(requests_per_second(server.url + "/"))
                    streams = Streams(server.port, top_id, count)
                    await streams.open()
                    with_streams.append(requests_per_second(server.url + "/"))
                t99, t_all = await reconnect_time(server, streams)
                await streams.close()
            finally:
                server.stop()
            ratio = statistics.median(with_streams) / statistics.median(without)
            print(f"{backend}, {count} streams: delay p50 {run['p50']:.2f} s, p95 {run['p95']:.2f} s, "
                  f"p99 {run['p99']:.2f} s, max {run['max']:.2f} s ({run['missing']} missed); "
                  f"{run['bytes_per_stream'] / 1024:.1f} KB a stream; front page {statistics.median(with_streams):.0f} "
                  f"req/s with them, {statistics.median(without):.0f} without ({ratio:.2f}); idle CPU "
                  f"{run['idle_cpu'] * 100:.1f}%; reconnected 99% in {t99:.1f} s, all in {t_all:.1f} s", flush=True)
            lines.append(f"| {backend} | {count:,} | {run['p50']:.2f} | {run['p95']:.2f} | {run['p99']:.2f} | "
                         f"{run['max']:.2f} | {run['bytes_per_stream'] / 1024:.1f} | {ratio:.2f} | "
                         f"{run['idle_cpu'] * 100:.1f}% | {t99:.1f} / {t_all:.1f} |")
    body = "\n".join([
        (f"`.venv/bin/python bench/streams.py` ({time.strftime('%Y-%m-%d')}, {LIST_SIZE:,} stories, 2 workers, "
        f"{PUBLICATIONS} publications 1.5 s apart; delays from each story's commit to its notice on every stream):"),
        "",
        "| backend | streams | p50 s | p95 s | p99 s | max s | KB a stream | front page with/without | idle CPU | reconnect 99% / all, s |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *lines,
        "",
        "Targets: p95 at most 2 s on SQLite and 0.5 s with Redis; at most 64 KB a stream; the front page keeps",
        "0.9 of its throughput with 1,000 streams open; 99% reconnected within 15 s.",
    ])
    harness.replace_section("streams", body)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
