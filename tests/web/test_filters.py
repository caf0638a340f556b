"""Printed times: absolute, in the site's time zone, so a page that is cached or stays open never
reads wrong; static/js/site.js makes them relative in the reader's browser."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.web.filters import short_date, short_time

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)


@pytest.fixture
def in_zone(app):
    """Filters run in an app context, in the site's time zone `name`."""
    def use(name):
        app.config["TIMEZONE"] = name
        app.config["TZINFO"] = ZoneInfo(name)
        return app.app_context()
    return use


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2026, 11, 25, 15, 29, 50, tzinfo=UTC), "15:29"),
        (datetime(2026, 11, 25, 0, 0, tzinfo=UTC), "00:00"),
        (datetime(2026, 11, 24, 23, 59, tzinfo=UTC), "24 Nov"),
        (datetime(2026, 1, 1, 9, 5, tzinfo=UTC), "1 Jan"),
        (datetime(2025, 12, 31, 23, 59, tzinfo=UTC), "31 Dec 2025"),
    ],
)
def test_time_of_day_today_a_date_this_year_and_a_year_before(in_zone, value, expected):
    with in_zone("UTC"):
        assert short_time(value, NOW) == expected


def test_times_are_the_site_time_zone(in_zone):
    published = datetime(2026, 11, 25, 14, 5, tzinfo=UTC)
    with in_zone("Europe/Berlin"):
        assert short_time(published, NOW) == "15:05"
    with in_zone("America/New_York"):
        assert short_time(published, NOW) == "09:05"


def test_the_day_ends_at_midnight_in_the_site_time_zone(in_zone):
    # 23:30 and 00:30 in Tokyo: an hour apart, but yesterday there; the same day in UTC.
    before_midnight = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
    with in_zone("Asia/Tokyo"):
        assert short_time(before_midnight, NOW) == "25 Nov"
    with in_zone("UTC"):
        assert short_time(before_midnight, NOW) == "14:30"


def test_the_year_ends_at_midnight_in_the_site_time_zone(in_zone):
    # New Year's Day in UTC, still New Year's Eve in New York.
    new_year = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    old_year = datetime(2025, 12, 31, 20, 0, tzinfo=UTC)
    with in_zone("UTC"):
        assert short_time(old_year, new_year) == "31 Dec 2025"
    with in_zone("America/New_York"):
        assert short_time(old_year, new_year) == "15:00"
        assert short_date(old_year, new_year) == "31 Dec"


def test_after_a_verb_the_time_takes_at_and_the_date_on(in_zone):
    with in_zone("UTC"):
        assert short_time(datetime(2026, 11, 25, 14, 5, tzinfo=UTC), NOW, preposition=True) == "at 14:05"
        assert short_time(datetime(2026, 11, 20, 14, 5, tzinfo=UTC), NOW, preposition=True) == "on 20 Nov"
        assert short_date(datetime(2025, 11, 20, 14, 5, tzinfo=UTC), NOW, preposition=True) == "on 20 Nov 2025"


def test_without_a_clock_given_the_filters_use_the_current_time(in_zone):
    now = datetime.now(UTC)
    with in_zone("UTC"):
        assert short_date(now) == f"{now.day} {now:%b}"
        assert short_time(datetime(2000, 2, 3, tzinfo=UTC)) == "3 Feb 2000"
