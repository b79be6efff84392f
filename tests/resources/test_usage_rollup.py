"""Usage is kept as per-minute sums, so the store does not grow with the number of requests."""

from __future__ import annotations

from pathlib import Path

from mockserver.resources.usage_ledger import record_message_usage
from mockserver.store import Store

START = 1_795_000_000 - 1_795_000_000 % 86400


def test_usage_is_summed_per_minute_and_dimensions(tmp_path: Path) -> None:
    store = Store(":memory:", tmp_path)
    for second in range(120):  # two minutes; NULL key, workspace and speed must still roll up
        record_message_usage(store, model="m", usage={"input_tokens": 10, "output_tokens": second}, at=START + second)
    record_message_usage(store, model="m", usage={"input_tokens": 1, "output_tokens": 1, "speed": "fast"}, at=START + 5)
    store.flush_usage()
    (rows,) = store._db.execute("SELECT COUNT(*) FROM usage_minutes").fetchone()
    assert rows == 3
    totals = store.usage_totals(start=START, end=START + 180, width=60, group_by=["speed"])
    assert [(t["bucket"], t["speed"], t["requests"], t["uncached_input_tokens"], t["output_tokens"]) for t in totals] \
        == [(0, None, 60, 600, sum(range(60))), (0, "fast", 1, 1, 1), (1, None, 60, 600, sum(range(60, 120)))]
    store.close()


def test_usage_of_several_stores_adds_up(tmp_path: Path) -> None:
    first, second = (Store(str(tmp_path / "mock.sqlite3"), tmp_path / "files") for _ in range(2))
    for store in (first, second, first):
        record_message_usage(store, model="m", usage={"input_tokens": 5, "output_tokens": 2}, at=START + 1)
        store.flush_usage()
    (total,) = second.usage_totals(start=START, end=START + 3600, width=3600)
    assert (total["requests"], total["uncached_input_tokens"], total["output_tokens"]) == (3, 15, 6)
    first.close()
    second.close()
