"""Row ids as they arrive in URLs and forms."""

from flask import abort, request

# Ids are 32-bit integers on PostgreSQL: a larger number from a URL names nothing.
MAX_ID = 2**31 - 1


def is_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def parse_id(raw: str | None) -> int | None:
    """An id written in a URL or form: ASCII digits naming a possible row, else None.
    (str.isdigit() alone accepts "²", which int() refuses.)"""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if is_id(value) else None


def id_arg(name: str, what: str) -> int | None:
    """The id in the query argument `name` (None when absent); a 400 saying it must be a `what`
    number when it is not one."""
    raw = request.args.get(name)
    value = parse_id(raw)
    if raw is not None and value is None:
        abort(400, description=f"The “{name}” value must be a {what} number.")
    return value
