"""The time buckets of a usage or cost report page: width, range, limit and the `page` cursor."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..http.errors import invalid_request
from .paging import decode_token, encode_token
from .stamps import parse_datetime, rfc3339_seconds

WIDTHS = {"1m": 60, "1h": 3600, "1d": 86400}
LIMITS = {"1m": (60, 1440), "1h": (24, 168), "1d": (7, 31)}  # (default, max) buckets per page
ANALYTICS_LIMITS = {"1m": (60, 256), "1h": (24, 168), "1d": (7, 31)}
MAX_ANALYTICS_SPAN = 31 * 86400


@dataclass(frozen=True, slots=True)
class Window:
    start: float  # first bucket of this page
    end: float  # end of this page's last bucket (exclusive)
    width: int
    next_page: str | None

    @property
    def buckets(self) -> range:
        return range(int((self.end - self.start) // self.width))

    def bounds(self, bucket: int) -> dict[str, str]:
        begin = self.start + bucket * self.width
        return {"starting_at": rfc3339_seconds(begin), "ending_at": rfc3339_seconds(begin + self.width)}

    def envelope(self, data: list[dict[str, Any]]) -> dict[str, Any]:
        return {"data": data, "has_more": self.next_page is not None, "next_page": self.next_page}


def window(query: Mapping[str, Any], now: float, *, limits: Mapping[str, tuple[int, int]] = LIMITS,
           max_span: float | None = None) -> Window:
    width_name = query.get("bucket_width") or "1d"
    if width_name not in limits:
        raise invalid_request(f"bucket_width: Input should be {' or '.join(repr(w) for w in limits)}")
    width = WIDTHS[width_name]
    if "starting_at" not in query:
        raise invalid_request("starting_at: Field required")
    start = math.floor(parse_datetime("starting_at", query["starting_at"]) / width) * width
    end = _end(query, start, width, now, max_span)
    default, most = limits[width_name]
    limit = query.get("limit") or default
    if not 1 <= limit <= most:
        raise invalid_request(f"limit: must be between 1 and {most} for bucket_width '{width_name}'")
    first = decode_token(query["page"]) if query.get("page") else start
    if first < start or (first - start) % width:
        raise invalid_request(f"page: invalid page token '{query['page']}'")
    last = min(end, first + limit * width)
    return Window(first, max(first, last), width, encode_token(int(last)) if last < end else None)


def _end(query: Mapping[str, Any], start: float, width: int, now: float, max_span: float | None) -> float:
    """End of the last bucket; equal to `start` (no buckets) when the range lies in the future."""
    if query.get("ending_at"):
        end = parse_datetime("ending_at", query["ending_at"])
        if end <= start:
            raise invalid_request("ending_at: must be after starting_at")
    else:
        end = now if max_span is None else min(now, start + max_span)
    if max_span is not None and end - start > max_span:
        raise invalid_request("ending_at: the range between starting_at and ending_at may span at most 31 days")
    return start + math.ceil((end - start) / width) * width if end > start else start
