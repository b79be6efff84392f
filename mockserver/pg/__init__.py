"""PostgreSQL implementations of the store interfaces in mockserver/db.py (`--store postgresql://...`).

Each kind of state keeps its SQLite module's SQL (the dialect both databases share) and runs it
through `PgConnection`, in its own PostgreSQL schema: store, rules, journal, buckets.
"""
