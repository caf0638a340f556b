"""`portal poll-feeds`: every configured source, whatever happens to each."""

from portal.wire.cli import configured_sources

from .conftest import KILOPARSEC, LEDGER, UNREACHABLE, articles, count

# ---- poll-feeds -------------------------------------------------------------------------------

def test_poll_feeds_imports_every_source_and_reports_the_broken_ones(app, runner, tmp_path):
    app.config["FEED_SOURCES"] = [
        {"name": "Ledger (wire)", "url": str(LEDGER)},
        str(tmp_path / "missing.xml"),
        {"name": "Nowhere", "url": UNREACHABLE},
        str(KILOPARSEC),
    ]

    result = runner.invoke(args=["portal", "poll-feeds"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert 'Imported 6 entries from "Ledger (wire)": 4 added, 1 skipped, 1 invalid.' in lines
    assert f"{tmp_path / 'missing.xml'} skipped: no such file" in lines
    assert any(line.startswith(f'"Nowhere" ({UNREACHABLE}) skipped: could not connect') for line in lines)
    assert 'Imported 2 entries from "Kiloparsec Weekly": 2 added, 0 skipped, 0 invalid.' in lines
    assert lines[-1] == "Polled 4 sources: 2 read, 2 failed."
    assert count(app) == 6
    assert {a.source_name for a in articles(app).values()} == {"Ledger (wire)", "Kiloparsec Weekly"}

    again = runner.invoke(args=["portal", "poll-feeds"])
    assert "0 added, 5 skipped, 1 invalid." in again.output
    assert count(app) == 6


def test_poll_feeds_fails_only_when_every_source_failed(app, runner, tmp_path):
    app.config["FEED_SOURCES"] = [str(tmp_path / "missing.xml"), UNREACHABLE, {"title": "no url"}]
    result = runner.invoke(args=["portal", "poll-feeds"])
    assert result.exit_code == 1
    assert "Source 3 skipped" in result.output
    assert result.output.splitlines()[-1] == "Polled 3 sources: 0 read, 3 failed."


def test_poll_feeds_without_sources_says_so(runner):
    result = runner.invoke(args=["portal", "poll-feeds"])
    assert result.exit_code == 0
    assert "No feed sources configured" in result.output


def test_feed_sources_accept_a_plain_string_of_urls():
    assert configured_sources("https://a.example/feed https://b.example/feed") == [
        (None, "https://a.example/feed"), (None, "https://b.example/feed")]
    assert configured_sources([{"name": " ", "url": "x.xml"}, 3]) == [(None, "x.xml"), (None, None)]
