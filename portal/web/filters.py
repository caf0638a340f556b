"""Template filters for times: in the newsroom's time zone, and machine-readable."""

from datetime import UTC, datetime

from flask import current_app


def local_time(value: datetime) -> datetime:
    return value.astimezone(current_app.config["TZINFO"])


def format_datetime(value: datetime) -> str:
    """"25 November 2026, 14:05 UTC" in the site's time zone."""
    local = local_time(value)
    return f"{local.day} {local:%B %Y, %H:%M %Z}"


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """"Just now", "12 min ago", "3 h ago"; a date beyond a day."""
    now = now or datetime.now(UTC)
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "Just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    local = local_time(value)
    if local.year == local_time(now).year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def init_app(app):
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(relative_time, "ago")
    app.add_template_filter(iso, "iso")
