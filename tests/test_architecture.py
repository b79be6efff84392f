"""The layers of docs/architecture.md hold: import-linter's layers contract in pyproject.toml (no
module imports from a layer above its own, so the import graph of mockserver/ has no cycles)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_layers_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_up_the_layers_breaks_the_contract(tmp_path):
    """The contract bites: the error table importing the app (an upward import, and a cycle) fails."""
    shutil.copytree(ROOT / "mockserver", tmp_path / "mockserver", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "mockserver" / "http" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom ..app import create_app  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "mockserver.http.errors is not allowed to import mockserver.app" in result.stdout


def test_every_module_has_a_layer():
    """A module the contract does not name escapes it: each one must sit in (or under) a layer."""
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    named = {name.strip() for layer in contract["layers"] for name in layer.replace(":", "|").split("|")}
    package = ROOT / "mockserver"
    unnamed = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        prefixes = {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
        imports_nothing = parts[-1] == "__init__" and "import " not in path.read_text()
        if module != "mockserver" and not prefixes & named and not imports_nothing:
            unnamed.append(module)
    assert not unnamed, f"modules outside every layer of pyproject's import contract: {unnamed}"
