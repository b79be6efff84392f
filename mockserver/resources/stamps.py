"""Timestamps as the API writes and reads them: RFC 3339 in UTC, microseconds, `Z`."""

from __future__ import annotations

from datetime import date, datetime, timezone

from ..http.errors import invalid_request


def rfc3339(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def rfc3339_seconds(epoch: float) -> str:
    """Bucket boundaries carry whole seconds: `2025-08-01T00:00:00Z`."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_datetime(name: str, value: str) -> float:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid_request(f"{name}: Input should be a valid datetime, invalid datetime format") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc).timestamp()
    except OverflowError:
        raise invalid_request(f"{name}: Input should be a valid datetime, year out of range") from None


def parse_day(name: str, value: str) -> float:
    """A `YYYY-MM-DD` UTC date, as the epoch of its midnight."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise invalid_request(f"{name}: Input should be a valid date in the format YYYY-MM-DD") from None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()
