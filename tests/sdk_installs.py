"""The client SDKs the tests drive, installed on first use into .cache/ (./run test does it too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
LEGACY_SDK_VERSION = "0.125.0"
NODE_SDK_VERSION = "1.10.0"


def _stamped(folder: Path, version: str) -> bool:
    stamp = folder / ".version"
    return stamp.exists() and stamp.read_text().strip() == version


def legacy_python_sdk() -> Path:
    """A folder to put first on PYTHONPATH: the last 0.x `anthropic` with its own dependencies."""
    target = CACHE / "sdk-legacy"
    if not _stamped(target, LEGACY_SDK_VERSION):
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "--target", str(target), f"anthropic=={LEGACY_SDK_VERSION}"], check=True)
        (target / ".version").write_text(LEGACY_SDK_VERSION)
    return target


def node_sdk() -> Path:
    """A folder whose node_modules holds @anthropic-ai/sdk."""
    target = CACHE / "node"
    if not _stamped(target, NODE_SDK_VERSION):
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund",
                        f"@anthropic-ai/sdk@{NODE_SDK_VERSION}"], cwd=target, check=True)
        (target / ".version").write_text(NODE_SDK_VERSION)
    return target
