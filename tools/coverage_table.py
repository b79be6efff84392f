#!/usr/bin/env python3
"""The README's coverage table by family, generated from the spec and the stateful handlers.

    .venv/bin/python tools/coverage_table.py           # print the table
    .venv/bin/python tools/coverage_table.py --write   # replace it in README.md (between its markers)

A family is an operation tag of openapi/anthropic.yaml. Every operation answers in `--stateless` mode
(its schema-valid example); in the default mode an operation with a handler of its own is stateful, the
others answer with their example too. tests/test_coverage_table.py keeps README.md current.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
README = os.path.join(ROOT, "README.md")
START, END = "<!-- coverage-table:start -->", "<!-- coverage-table:end -->"


def stateful_operation_ids() -> set[str]:
    """Operations with a handler of their own in the default mode (mockserver.resources)."""
    from mockserver.config import Config
    from mockserver.resources import all_handlers, sdk_forms
    from mockserver.state import build_state

    handlers = all_handlers(build_state(Config()))
    return {op_id for op_id, handler in handlers.items() if handler is not sdk_forms.answer_form}  # example only


def table(spec: dict, stateful: set[str]) -> str:
    rows: dict[str, list[dict]] = defaultdict(list)
    for item in spec["paths"].values():
        for method, op in item.items():
            if method != "parameters":
                rows[op["tags"][0]].append(op)
    lines = ["| Family | Operations | `--stateless` | Stateful (default mode) |", "|---|---:|---:|---:|"]
    for tag in sorted(rows, key=lambda t: (":" in t, t)):
        ops = rows[tag]
        held = sum(op["operationId"] in stateful for op in ops)
        lines.append(f"| {tag} | {len(ops)} | {len(ops)} | {held or '—'} |")
    total = sum(len(ops) for ops in rows.values())
    held = sum(op["operationId"] in stateful for ops in rows.values() for op in ops)
    lines.append(f"| **all** | **{total}** | **{total}** | **{held}** |")
    return "\n".join(lines)


def current_table() -> str:
    from mockserver.config import DEFAULT_SPEC
    from mockserver.spec import load_spec

    return table(load_spec(DEFAULT_SPEC), stateful_operation_ids())


def readme_table(text: str) -> str:
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="replace the table in README.md")
    args = ap.parse_args()
    generated = current_table()
    if not args.write:
        print(generated)
        return
    with open(README) as handle:
        text = handle.read()
    head, rest = text.split(START, 1)
    with open(README, "w") as handle:
        handle.write(f"{head}{START}\n{generated}\n{END}{rest.split(END, 1)[1]}")


if __name__ == "__main__":
    main()
