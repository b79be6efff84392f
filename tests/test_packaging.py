"""An installed package (what `pipx run` and `uvx --from` build) carries the spec and serves from it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_wheel_carries_the_spec_and_an_install_of_it_finds_it(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("mockserver", "openapi"):  # mockserver/openapi is a symlink to ../openapi, kept as one
        shutil.copytree(ROOT / name, source / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "src"))
    build = "import sys; from setuptools.build_meta import build_wheel; build_wheel(sys.argv[1])"
    subprocess.run([sys.executable, "-c", build, str(tmp_path / "dist")], cwd=source, check=True, timeout=300,
                   capture_output=True)  # the PEP 517 hook that pip, uv and pipx call
    wheel = next((tmp_path / "dist").glob("anthropic_mockserver-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"mockserver/openapi/anthropic.yaml", "mockserver/openapi/control.yaml"} <= names

    target = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(target)  # what an installer lays down, without the checkout beside it
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import mockserver.config as c, mockserver.app as a; "
             "a.create_app(); print(c.__file__); print(c.DEFAULT_SPEC)")
    result = subprocess.run([sys.executable, "-c", probe, str(target)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    module, spec = result.stdout.split()
    assert Path(module).is_relative_to(target) and Path(spec) == target / "mockserver" / "openapi" / "anthropic.yaml"
