"""Times are timezone-aware UTC everywhere: in Python, and in every database column."""

from datetime import UTC, datetime, tzinfo

from sqlalchemy import DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class NoSuchLocalTime(ValueError):
    """A wall-clock time the zone skips (the hour clocks jump over in spring)."""


def from_local_time(wall_clock: datetime, zone: tzinfo) -> datetime:
    """The UTC moment a naive wall-clock time in `zone` names. A time the zone skips is refused;
    one it passes twice (the hour repeated in autumn) is its first occurrence."""
    first = wall_clock.replace(tzinfo=zone, fold=0)
    moment = first.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall_clock:
        raise NoSuchLocalTime(f"{wall_clock:%Y-%m-%d %H:%M} does not exist in {zone}")
    return moment


def to_local_time(moment: datetime, zone: tzinfo) -> datetime:
    """The naive wall-clock time in `zone` of a UTC moment (what a datetime-local field shows)."""
    return moment.astimezone(zone).replace(tzinfo=None)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on every backend (SQLite keeps no zone, so it is restored on load)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime; store timezone-aware UTC")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
