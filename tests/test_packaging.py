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


def test_the_release_build_passes_twine_with_its_metadata(tmp_path):
    """What .github/workflows/release.yml does: `python -m build`, `twine check --strict`, then the wheel
    carries its classifiers, licence and py.typed (the wheel serving alone: the test above)."""
    source = tmp_path / "source"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(source)], check=True, timeout=120)
    for name in ("pyproject.toml", "README.md", "LICENSE", "mkdocs.yml"):  # this tree, committed or not
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    shutil.rmtree(source / "mockserver")
    shutil.copytree(ROOT / "mockserver", source / "mockserver", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist")],
                           cwd=source, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    artifacts = sorted(str(path) for path in (tmp_path / "dist").iterdir())
    assert any(a.endswith(".whl") for a in artifacts) and any(a.endswith(".tar.gz") for a in artifacts)
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *artifacts],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    wheel = next(a for a in artifacts if a.endswith(".whl"))
    metadata = zipfile.ZipFile(wheel).read(next(n for n in zipfile.ZipFile(wheel).namelist()
                                                if n.endswith("METADATA"))).decode()
    assert "Classifier: Framework :: Pytest" in metadata and "License" in metadata
    assert "mockserver/py.typed" in zipfile.ZipFile(wheel).namelist()
