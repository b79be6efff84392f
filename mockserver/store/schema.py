"""The store's tables, in the SQL subset SQLite and PostgreSQL share (pg/store.py reuses it)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '',
    id TEXT NOT NULL,
    doc BLOB NOT NULL, -- JSON (orjson's bytes)
    UNIQUE (kind, parent, id)
);
CREATE INDEX IF NOT EXISTS objects_by_kind ON objects (kind, parent, seq);
CREATE TABLE IF NOT EXISTS batch_requests (
    batch_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    custom_id TEXT NOT NULL,
    params BLOB NOT NULL,
    outcome TEXT,
    line BLOB,
    PRIMARY KEY (batch_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS api_key_digests (digest TEXT PRIMARY KEY, api_key_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS usage_minutes (
    minute INTEGER NOT NULL, -- epoch seconds of the minute's start: usage is kept summed per minute
    dims TEXT NOT NULL, -- the dimension columns as one JSON array: a key over NULLable columns never conflicts
    api_key_id TEXT,
    workspace_id TEXT,
    model TEXT NOT NULL,
    service_tier TEXT NOT NULL,
    context_window TEXT NOT NULL,
    inference_geo TEXT,
    speed TEXT,
    uncached_input_tokens INTEGER NOT NULL,
    cache_read_input_tokens INTEGER NOT NULL,
    cache_creation_5m_input_tokens INTEGER NOT NULL,
    cache_creation_1h_input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    web_search_requests INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (minute, dims)
) WITHOUT ROWID;
"""


def matches_any(expression: str, values: list[object]) -> tuple[str, list[object]]:
    """SQL that holds when `expression` equals one of `values` (None matching NULL), and its arguments."""
    present = [v for v in values if v is not None]
    options = [f"{expression} IN ({', '.join('?' * len(present))})"] if present else []
    if len(present) != len(values):
        options.append(f"{expression} IS NULL")
    return f"({' OR '.join(options) or '1 = 0'})", present
