"""Run framework integration suites against the mock and classify every failure.

    bench/frameworks/run [SUITE-NAME-PART ...] [--table-only]

Per suite: a venv under bench/.cache/frameworks/<suite>/, the pinned package installed from PyPI,
its sdist unpacked for the tests, then pytest run against a mock on loopback (ANTHROPIC_BASE_URL,
a dummy key). Outcomes come from pytest's JUnit XML. The table (passed / mock wrong / needs
intelligence / needs network / skipped) is printed and written to bench/results/frameworks.md,
and, after a run of every suite, into README.md in place of its table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from bench.frameworks.suites import INTELLIGENCE, MOCK_WRONG, NETWORK, REVIVED_MODELS, SUITES, Suite

BENCH = Path(__file__).resolve().parent.parent
CACHE = BENCH / ".cache" / "frameworks"
RESULTS = BENCH / "results" / "frameworks.md"
README = BENCH.parent / "README.md"
TABLE_HEAD = "| suite | passed | "
DUMMY_KEY = "sk-ant-api03-framework-suites-dummy-key"


def _say(text: str) -> None:
    print(f"[frameworks] {text}", file=sys.stderr, flush=True)


def _slug(suite: Suite) -> str:
    return re.sub(r"[^a-z0-9]+", "-", suite.package.split("==")[0].lower())


def prepare(suite: Suite) -> tuple[Path, Path]:
    """The suite's python and its unpacked sdist, made on first use."""
    home = CACHE / _slug(suite)
    python = home / "venv" / "bin" / "python"
    if not python.exists():
        _say(f"{suite.name}: creating a venv and installing {suite.package} (first run only)...")
        subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
    stamp = home / "installed"
    if not stamp.exists() or stamp.read_text() != repr(suite):
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        with (home / "install.log").open("w") as log:
            subprocess.run([*pip, "install", suite.package, *suite.installs], check=True, stdout=log, stderr=log)
            subprocess.run([*pip, "download", "--no-deps", "--no-binary", ":all:", suite.package,
                            "-d", str(home / "sdist")], check=True, stdout=log, stderr=log)
        stamp.write_text(repr(suite))
    archive = next((home / "sdist").glob("*.tar.gz"))
    source = home / "source"
    if not source.exists():
        with tarfile.open(archive) as tar:
            tar.extractall(source, filter="data")
    return python, next(source.iterdir())


def run_suite(suite: Suite, base_url: str) -> dict[str, str]:
    """Test id -> passed, skipped, or the failure's category."""
    python, root = prepare(suite)
    report = CACHE / _slug(suite) / "junit.xml"
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(ANTHROPIC_BASE_URL=base_url, ANTHROPIC_API_KEY=DUMMY_KEY, NO_PROXY="127.0.0.1,localhost",
               PYTHONPATH=str(root))
    command = [str(python), "-m", "pytest", *suite.paths, *suite.pytest_args, "-p", "no:cacheprovider",
               "-q", "--tb=line", f"--junitxml={report}", "-o", "addopts="]
    _say(f"{suite.name}: running {' '.join(suite.paths)}")
    log = CACHE / _slug(suite) / "pytest.log"
    with log.open("w") as out:
        subprocess.run(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
    return classify(suite, report)


def classify(suite: Suite, report: Path) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        if case.find("skipped") is not None:
            outcomes[test_id] = "skipped"
        elif case.find("failure") is not None or case.find("error") is not None:
            outcomes[test_id] = verdict(suite, test_id)
        else:
            outcomes[test_id] = "passed"
    return outcomes


def verdict(suite: Suite, test_id: str) -> str:
    for part, (kind, _why) in suite.verdicts.items():
        if part in test_id:
            return kind
    return MOCK_WRONG


def table(results: dict[str, dict[str, str]]) -> str:
    columns = ("passed", MOCK_WRONG, INTELLIGENCE, NETWORK, "skipped")
    lines = ["| suite | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, outcomes in results.items():
        counts = Counter(outcomes.values())
        lines.append(f"| {name} | " + " | ".join(str(counts.get(c, 0)) for c in columns) + " |")
    return "\n".join(lines)


def details(results: dict[str, dict[str, str]]) -> str:
    out = []
    for suite in SUITES:
        for test_id, outcome in (results.get(suite.name) or {}).items():
            if outcome not in ("passed", "skipped"):
                why = next((w for p, (_, w) in suite.verdicts.items() if p in test_id), "")
                out.append(f"- {suite.name}: `{test_id}`: {outcome}{': ' + why if why else ''}")
    return "\n".join(out)


def table_lines(text: str) -> list[str]:
    """The lines of the first suites table in `text` (its head, rule and rows)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(TABLE_HEAD)), None)
    if start is None:
        return []
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return lines[start:end]


def update_readme(new_table: str, readme: Path = README) -> None:
    """Replace the README's suites table with `new_table`."""
    text = readme.read_text()
    old = "\n".join(table_lines(text))
    if not old:
        raise SystemExit(f"{readme} has no suites table (a line starting {TABLE_HEAD!r}) to replace")
    readme.write_text(text.replace(old, new_table, 1))


def revived_models() -> Path:
    """A models file that serves REVIVED_MODELS as deprecated rather than retired."""
    path = CACHE / "revived-models.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("models:\n" + "".join(f"  - {{id: {m}, lifecycle: deprecated}}\n" for m in REVIVED_MODELS))
    return path


def main(argv: list[str]) -> int:
    from mockserver.config import Config
    from mockserver.server import MockServer

    wanted = [a for a in argv if not a.startswith("-")]
    chosen = [s for s in SUITES if not wanted or any(w.lower() in s.name.lower() for w in wanted)]
    results: dict[str, dict[str, str]] = {}
    with MockServer(Config(seed=1, models_file=revived_models())) as server:
        for suite in chosen:
            try:
                results[suite.name] = run_suite(suite, server.base_url)
            except (subprocess.CalledProcessError, FileNotFoundError, StopIteration, ET.ParseError) as problem:
                _say(f"{suite.name}: could not run ({problem}); see bench/.cache/frameworks/")
                results[suite.name] = {}
    text = table(results) + "\n\n" + details(results) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    if chosen == list(SUITES) and all(results.values()):
        update_readme(table(results))
    print(text)
    return 1 if any(MOCK_WRONG in o.values() for o in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
