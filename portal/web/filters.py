"""Template filters for times: in the newsroom's time zone, and machine-readable."""

from datetime import UTC, datetime

from flask import current_app


def local_time(value: datetime) -> datetime:
    return value.astimezone(current_app.config["TZINFO"])


def format_datetime(value: datetime) -> str:
    """"25 November 2026, 14:05 UTC" in the site's time zone."""
    local = local_time(value)
    return f"{local.day} {local:%B %Y, %H:%M %Z}"


def short_date(value: datetime, now: datetime | None = None, *, preposition: bool = False) -> str:
    """"25 Nov" in the current year of the site's time zone, "25 Nov 2025" in another; with
    `preposition`, "on 25 Nov"."""
    local = local_time(value)
    same_year = local.year == local_time(now or datetime.now(UTC)).year
    date = f"{local.day} {local:%b}" if same_year else f"{local.day} {local:%b %Y}"
    return f"on {date}" if preposition else date


def short_time(value: datetime, now: datetime | None = None, *, preposition: bool = False) -> str:
    """"14:05" on the current day of the site's time zone, else `short_date`: absolute, so a
    page that is cached or stays open never goes stale (static/js/site.js shows "12 min. ago"
    from `<time data-relative>`). With `preposition`, "at 14:05" or "on 25 Nov", to follow a
    verb ("Saved at 14:05")."""
    now = now or datetime.now(UTC)
    local = local_time(value)
    if local.date() == local_time(now).date():
        return f"at {local:%H:%M}" if preposition else f"{local:%H:%M}"
    return short_date(value, now, preposition=preposition)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def init_app(app):
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(short_time)
    app.add_template_filter(short_date)
    app.add_template_filter(iso, "iso")
