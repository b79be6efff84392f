#!/usr/bin/env python3
"""Refresh the spec to a newer SDK release in one command, and print what changed.

    python3 tools/refresh_sdk.py 2.17.0                 # anthropic (PyPI) 2.17.0
    python3 tools/refresh_sdk.py 2.17.0 --ts 1.17.0     # also list what @anthropic-ai/sdk 1.17.0 calls

Steps: create the pinned SDK venvs (tools/make_spec_venvs.sh, in $SPEC_VENV_DIR or /tmp), rebuild
openapi/anthropic.yaml with tools/build_spec.py, move the SDK pins (pyproject.toml, tests/sdk_installs.py,
tools/make_spec_venvs.sh), and print the differences against the previous spec: operations, schemas
and their fields, error codes, beta names, API-version patches; the models whose lifecycle the SDK
states differently from mockserver/data/models.yaml; and, with --ts, the operations the TypeScript SDK
calls that the spec does not serve. Then run `./run test -q`; a new request-type difference between
the SDK generations stops the build until it is reviewed in openapi/src/versions.yaml. Every route the SDK's
resources call is in the spec (tools/sdk_routes.py reads them; tools/specbuild/surface.py builds the ones
openapi/src/operations.yaml does not describe by hand).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from tools.version_diff import request_differences  # noqa: E402
SPEC = os.path.join(ROOT, "openapi", "anthropic.yaml")
PINS = {  # file -> pattern whose group 1 is the 2.x version
    "pyproject.toml": r'"anthropic==([0-9.]+)"',
    "tests/sdk_installs.py": r'CURRENT_SDK_VERSION = "([0-9.]+)"',
    "tools/make_spec_venvs.sh": r"ANTHROPIC_VERSION:-([0-9.]+)",
}
TS_PIN = ("tests/sdk_installs.py", r'NODE_SDK_VERSION = "([0-9.]+)"')


def load(path: str) -> dict:
    with open(path) as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def operations(spec: dict) -> set[str]:
    return {f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item if m != "parameters"}


def spec_changes(old: dict, new: dict) -> list[str]:
    """Human-readable differences between two generated specs (pure: used by the tests too)."""
    lines = []
    lines += _set_change("operation", operations(old), operations(new))
    old_s, new_s = old["components"]["schemas"], new["components"]["schemas"]
    lines += _set_change("schema", set(old_s), set(new_s))
    for name in sorted(set(old_s) & set(new_s)):
        before, after = set(old_s[name].get("properties", {})), set(new_s[name].get("properties", {}))
        lines += _set_change(f"field of {name}", before, after)
    lines += _set_change("error code", set(old.get("x-mock-error-codes", {})), set(new.get("x-mock-error-codes", {})))
    lines += _set_change("beta name", set(old.get("x-mock-known-betas", [])), set(new.get("x-mock-known-betas", [])))
    if old.get("x-mock-versions") != new.get("x-mock-versions"):
        lines.append("~ x-mock-versions (API-version patches) changed")
    return lines


def _set_change(what: str, before: set, after: set) -> list[str]:
    return [f"+ {what}: {x}" for x in sorted(after - before)] + [f"- {what}: {x}" for x in sorted(before - after)]


def lifecycle_changes(sdk_models: dict) -> list[str]:
    """Catalog entries whose lifecycle differs from what the SDK states (deprecated table, Model literal)."""
    from mockserver.catalog import load_catalog

    catalog, lines = load_catalog(), []
    for name in sdk_models["deprecated"]:
        entry = catalog.resolve(name)
        if entry is None or entry.lifecycle != "deprecated":
            lines.append(f"! {name}: the SDK lists it as deprecated; catalog says "
                         f"{entry.lifecycle if entry else 'unknown'}")
    for name in sdk_models["known"]:
        if catalog.resolve(name) is None or catalog.resolve(name).retired:
            lines.append(f"! {name}: named by the SDK's Model type but missing or retired in the catalog")
    return lines


def ts_routes(version: str) -> set[str]:
    """(METHOD path) pairs the TypeScript SDK's resources call, path parameters as {x}."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["npm", "pack", "--silent", f"@anthropic-ai/sdk@{version}"], cwd=folder, check=True,
                       capture_output=True)
        subprocess.run(["tar", "xzf", glob.glob(os.path.join(folder, "*.tgz"))[0]], cwd=folder, check=True)
        return ts_package_routes(os.path.join(folder, "package"))


def ts_package_routes(package: str) -> set[str]:
    """(METHOD path) pairs the resources of an unpacked @anthropic-ai/sdk package call, parameters as {x}."""
    routes = set()
    for name in glob.glob(os.path.join(package, "resources", "**", "*.js"), recursive=True):
        with open(name) as handle:
            text = handle.read()
        for m in re.finditer(r"_client\.(get|post|put|patch|delete|getAPIList)\((.{0,2000}?)route: '([^']*)'",
                             text, re.S):
            method = "GET" if m.group(1) == "getAPIList" else m.group(1).upper()
            routes.add(f"{method} {re.sub(r'{[^}]*}', '{x}', m.group(3))}")
    return routes


def unserved_ts_routes(spec: dict, version: str, groups: tuple[str, ...]) -> list[str]:
    served = {re.sub(r"{[^}]*}", "{x}", op) for op in operations(spec)}
    return sorted(r for r in ts_routes(version) - served if r.split(" ", 1)[1].startswith(groups))


def move_pins(version: str, ts_version: str | None) -> None:
    pins = dict(PINS)
    for rel, pattern in list(pins.items()) + ([TS_PIN] if ts_version else []):
        target = ts_version if (rel, pattern) == TS_PIN else version
        path = os.path.join(ROOT, rel)
        with open(path) as handle:
            text = handle.read()
        text = re.sub(pattern, lambda m: m.group(0).replace(m.group(1), target), text)
        with open(path, "w") as handle:
            handle.write(text)


def rebuild(version: str, venvs: str) -> dict[str, dict]:
    """Build the venvs and the spec; the SDK dumps of both generations (`v2`, `v0`)."""
    env = {**os.environ, "SPEC_VENV_DIR": venvs, "ANTHROPIC_VERSION": version}
    subprocess.run(["bash", os.path.join(ROOT, "tools", "make_spec_venvs.sh")], env=env, check=True)
    py2, py0 = os.path.join(venvs, "spec-v2", "bin", "python"), os.path.join(venvs, "spec-v0", "bin", "python")
    dumps = tempfile.mkdtemp(prefix="spec-dumps-")
    subprocess.run([py2, os.path.join(ROOT, "tools", "build_spec.py"), "--py2", py2, "--py0", py0,
                    "--dump-dir", dumps], check=True)
    with open(os.path.join(dumps, "v2.json")) as handle, open(os.path.join(dumps, "v0.json")) as legacy:
        return {"v2": json.load(handle), "v0": json.load(legacy)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("version", help="anthropic (PyPI) 2.x version to build the spec from")
    ap.add_argument("--ts", help="@anthropic-ai/sdk (npm) version to check the served operations against")
    ap.add_argument("--venvs", default=os.environ.get("SPEC_VENV_DIR", "/tmp"))
    args = ap.parse_args()
    old = load(SPEC)
    dump = rebuild(args.version, args.venvs)
    move_pins(args.version, args.ts)
    new = load(SPEC)
    print(f"\n== spec: anthropic {old['x-generated']['sdk']['anthropic']} -> {args.version}")
    print("\n".join(spec_changes(old, new)) or "(no change)")
    print("\n== model lifecycles (mockserver/data/models.yaml)")
    print("\n".join(lifecycle_changes(dump["v2"]["models"])) or "(catalog agrees with the SDK)")
    print("\n== request-type differences 0.x (2023-06-01) vs 2.x (2026-10-21), see openapi/src/versions.yaml")
    print("\n".join(d.describe() for d in request_differences(dump["v0"], dump["v2"]) if d.kind != "new-definition"))
    if args.ts:
        print(f"\n== operations @anthropic-ai/sdk {args.ts} calls that the spec does not serve")
        print("\n".join(unserved_ts_routes(new, args.ts, ("/",))) or "(none)")  # the spec has every SDK route


if __name__ == "__main__":
    main()
