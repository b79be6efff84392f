"""What the benchmark needs, installed on first use: wrk, Prism and Steady, py-spy, a strict-JSON spec."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
NPM = CACHE / "npm"
PEERS = {"@stoplight/prism-cli": "5.14.2", "@stdy/cli": "0.22.2", "@copilotkit/aimock": "1.43.0"}
PRISM = NPM / "node_modules" / ".bin" / "prism"
STEADY = NPM / "node_modules" / "@stdy" / "cli-linux-x64" / "bin" / "steady"  # the binary, not its node wrapper
AIMOCK = NPM / "node_modules" / ".bin" / "llmock"  # aimock's flag-driven CLI (`aimock` wants a config file)
# The spec Prism and Steady serve: BENCH_PEER_SPEC (e.g. a copy of the official OpenAPI file), else ours.
PEER_SPEC = Path(os.environ.get("BENCH_PEER_SPEC") or BENCH.parent / "openapi" / "anthropic.yaml")


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    _say("installing wrk with apt-get (first run only)...")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(install, check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed and apt-get could not install it")
    return found


def peers() -> bool:
    """Prism and Steady in bench/.cache/npm; False (peers skipped) when npm is missing."""
    if PRISM.exists() and STEADY.exists() and AIMOCK.exists():
        return True
    npm = shutil.which("npm")
    if npm is None:
        _say("npm not found: Prism and Steady are skipped (apt-get install -y nodejs npm to add them)")
        return False
    _say("installing Prism, Steady and aimock into bench/.cache/npm (first run only)...")
    NPM.mkdir(parents=True, exist_ok=True)
    packages = [f"{name}@{version}" for name, version in PEERS.items()]
    subprocess.run([npm, "install", "--prefix", str(NPM), "--no-audit", "--no-fund", "--loglevel=error",
                    *packages], check=True, stdout=subprocess.DEVNULL)
    return PRISM.exists() and STEADY.exists() and AIMOCK.exists()


def peer_spec() -> Path:
    """The peers' spec as strict JSON (the official file has trailing commas: YAML reads it, Steady does not)."""
    out = CACHE / f"{PEER_SPEC.stem}.json"
    if not out.exists() or out.stat().st_mtime < PEER_SPEC.stat().st_mtime:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with PEER_SPEC.open() as source:
            spec = yaml.load(source, Loader=loader)
        CACHE.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(spec))
    return out


def py_spy() -> str:
    found = shutil.which("py-spy") or (Path(sys.executable).parent / "py-spy")
    if Path(found).exists():
        return str(found)
    _say("installing py-spy into .venv (first run only)...")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "py-spy"],
                   check=True)
    return str(Path(sys.executable).parent / "py-spy")


def versions(wrk_path: str, with_peers: bool) -> dict[str, str]:
    import starlette
    import uvicorn

    found = {"python": sys.version.split()[0], "uvicorn": uvicorn.__version__, "starlette": starlette.__version__}
    first = subprocess.run([wrk_path, "--version"], capture_output=True, text=True).stdout.splitlines()
    found["wrk"] = first[0].split()[1] if first else "?"
    if with_peers:
        for key, package in (("prism", "@stoplight/prism-cli"), ("steady", "@stdy/cli")):
            manifest = NPM / "node_modules" / package / "package.json"
            found[key] = json.loads(manifest.read_text())["version"] if manifest.exists() else "?"
    return found
