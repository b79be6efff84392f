"""The client SDKs the tests drive, installed on first use into .cache/ (./run test does it too)."""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
LEGACY_SDK_VERSION = "0.125.0"
CURRENT_SDK_VERSION = "2.17.0"  # also pinned in pyproject.toml and tools/make_spec_venvs.sh
NODE_SDK_VERSION = "1.17.0"
NODE_PLATFORM_SDKS = ("@anthropic-ai/bedrock-sdk@1.2.1", "@anthropic-ai/vertex-sdk@1.1.5",
                      "@anthropic-ai/foundry-sdk@1.1.1")


def _stamped(folder: Path, version: str) -> bool:
    stamp = folder / ".version"
    return stamp.exists() and stamp.read_text().strip() == version


@contextlib.contextmanager
def _installing(folder: Path) -> Iterator[None]:
    """One installer at a time per folder: test workers that need the same SDK wait for the first."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def legacy_python_sdk() -> Path:
    """A folder to put first on PYTHONPATH: the last 0.x `anthropic` with its own dependencies."""
    target = CACHE / "sdk-legacy"
    with _installing(target):
        if not _stamped(target, LEGACY_SDK_VERSION):
            _install_legacy(target)
    return target


def _install_legacy(target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--target", str(target), f"anthropic=={LEGACY_SDK_VERSION}"], check=True)
    (target / ".version").write_text(LEGACY_SDK_VERSION)


def node_sdk() -> Path:
    """A folder whose node_modules holds @anthropic-ai/sdk."""
    target = CACHE / "node"
    with _installing(target):
        if not _stamped(target, NODE_SDK_VERSION):
            target.mkdir(parents=True, exist_ok=True)
            subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund",
                            f"@anthropic-ai/sdk@{NODE_SDK_VERSION}"], cwd=target, check=True)
            (target / ".version").write_text(NODE_SDK_VERSION)
    return target


GENERATED_SUITE_DEPS = [f"anthropic[aiohttp,webhooks]=={CURRENT_SDK_VERSION}", "pytest", "pytest-asyncio", "pytest-xdist",
                        "respx", "dirty-equals", "inline-snapshot", "http-snapshot[httpx]==0.1.9", "time-machine", "rich",
                        "opentelemetry-sdk"]


def generated_sdk_suite() -> tuple[Path, Path]:
    """The SDK's own generated tests (from its PyPI source distribution) and a Python to run them with."""
    version = f"{CURRENT_SDK_VERSION}+webhooks"  # the stamp names the extras too: a new one reinstalls
    home = CACHE / "sdk-suite"
    python = home / "venv" / "bin" / "python"
    source = home / f"anthropic-{CURRENT_SDK_VERSION}"
    with _installing(home):
        if not _stamped(home, version):
            _install_generated_suite(home, python, version)
    return source, python


def _install_generated_suite(home: Path, python: Path, stamp: str) -> None:
    version = CURRENT_SDK_VERSION
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *GENERATED_SUITE_DEPS], check=True)
    subprocess.run([str(python), "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                    "--no-binary", ":all:", "-d", str(home), f"anthropic=={version}"], check=True)
    with tarfile.open(home / f"anthropic-{version}.tar.gz") as archive:
        archive.extractall(home, filter="data")
    (home / ".version").write_text(stamp)


def node_platform_sdks() -> Path:
    """A folder whose node_modules holds the TypeScript platform SDKs (Bedrock, Vertex AI, Foundry)."""
    target = CACHE / "node-platforms"
    stamp = " ".join(NODE_PLATFORM_SDKS)
    with _installing(target):
        if not _stamped(target, stamp):
            target.mkdir(parents=True, exist_ok=True)
            subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", *NODE_PLATFORM_SDKS],
                           cwd=target, check=True)
            (target / ".version").write_text(stamp)
    return target
