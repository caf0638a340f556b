"""Reading a source: files and URLs, and those that cannot be read or parsed."""

import http.server
import threading

import pytest

from .conftest import COPPER, LEDGER, UNREACHABLE, articles, count, import_feed, write_rss

# ---- unreadable sources -----------------------------------------------------------------------

def test_a_source_that_cannot_be_read_or_parsed_fails_with_one_line(app, runner, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<html><body>This is a web page, <b>not a feed</b>")
    not_json = tmp_path / "feed.json"
    not_json.write_text('{"items": [1, 2')
    cases = {
        str(tmp_path / "missing.xml"): "no such file",
        str(tmp_path): "is a directory",
        str(broken): "not an RSS, Atom or JSON feed",
        str(not_json): "not valid JSON",
        "ftp://files.example/feed.xml": "only http and https URLs",
        UNREACHABLE: "could not connect to 127.0.0.1:1",
    }
    for source, message in cases.items():
        result = import_feed(runner, source)
        assert result.exit_code == 1, source
        assert message in result.output, result.output
        assert result.output.count("\n") == 1, result.output
    assert count(app) == 0


def test_a_valid_feed_without_entries_is_not_an_error(app, runner, tmp_path):
    result = import_feed(runner, write_rss(tmp_path / "empty.xml", ""))
    assert result.exit_code == 0
    assert result.output == 'Imported 0 entries from "Outlet": 0 added, 0 skipped, 0 invalid.\n'


def test_a_file_larger_than_the_cap_is_refused(app, runner):
    app.config["FEED_MAX_BYTES"] = 1000
    result = import_feed(runner, LEDGER)
    assert result.exit_code == 1
    assert "larger than the 1,000-byte limit" in result.output
    assert count(app) == 0


# ---- URL sources ------------------------------------------------------------------------------

class FeedServer:
    """A small HTTP server on 127.0.0.1 serving canned responses, recording request headers."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(dict(self.headers))
                status, content_type, body, announce_length = outer.routes.get(
                    self.path, (404, "text/plain", b"not here", True))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if announce_length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)  # without a length, the body ends when the connection closes

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path, body: bytes, content_type="application/rss+xml", status=200, announce_length=True):
        self.routes[path] = (status, content_type, body, announce_length)
        return self.url + path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.close()


def test_a_url_source_is_fetched_and_imported(app, runner, feed_server):
    rss = feed_server.serve("/ledger.xml", LEDGER.read_bytes())
    json_feed = feed_server.serve("/copper.json", COPPER.read_bytes(), content_type="application/feed+json")

    assert "4 added, 1 skipped, 1 invalid." in import_feed(runner, rss).output
    assert "3 added, 0 skipped, 0 invalid." in import_feed(runner, json_feed).output
    assert count(app) == 7
    agent = feed_server.requests[0]["User-Agent"]
    assert agent.startswith("Tech Desk feed importer")


def test_relative_links_resolve_against_the_feed_url(app, runner, feed_server):
    url = feed_server.serve("/news/feed.xml", b"""<?xml version="1.0"?><rss version="2.0"><channel>
        <title>Relative</title><item><title>Here</title><link>/news/here</link></item></channel></rss>""")
    assert "1 added" in import_feed(runner, url).output
    assert list(articles(app)) == [feed_server.url + "/news/here"]


@pytest.mark.parametrize("announce_length, how", [(True, "announced"), (False, "as it streamed in")])
def test_a_url_larger_than_the_cap_is_refused(app, runner, feed_server, announce_length, how):
    app.config["FEED_MAX_BYTES"] = 2000
    padding = b"<!-- " + b"x" * 50_000 + b" -->"
    url = feed_server.serve("/huge.xml", LEDGER.read_bytes().replace(b"<channel>", b"<channel>" + padding),
                            announce_length=announce_length)

    result = import_feed(runner, url)

    assert result.exit_code == 1
    assert "larger than the 2,000-byte limit (PORTAL_FEED_MAX_BYTES" in result.output
    assert how in result.output
    assert count(app) == 0


def test_an_http_error_is_reported(app, runner, feed_server):
    result = import_feed(runner, feed_server.url + "/gone.xml")
    assert result.exit_code == 1
    assert "HTTP 404" in result.output
