#!/usr/bin/env python3
"""Re-extract one project's recordings into tests/fixtures/real-traffic/<project>/.

    python3 tools/refresh_corpus.py SOURCE PROJECT [--commit REV]

SOURCE is a git checkout or a bare git directory of the project's repository; PROJECT is its `name`
in tests/fixtures/real-traffic/sources.yaml, the one list of sources. The cassettes matched by its
roots and globs are read at the manifest's commit (or REV, which then becomes the manifest's
commit), reduced to the exchanges with api.anthropic.com, normalised to readable vcrpy YAML,
scrubbed of credentials, and written with the project's licence file and a generated SOURCES.md.
The corpus README's table is regenerated from what is on disk.
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.corpus.coverage import CLASSES, classes  # noqa: E402
from tools.corpus.normalise import anthropic_interactions  # noqa: E402
from tools.corpus.scrub import find_secrets, load_corpus_cassette  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "real-traffic"
MANIFEST = CORPUS / "sources.yaml"
GZIP_ABOVE = 256 * 1024  # bytes of YAML past which a cassette is stored gzipped
TABLE_START, TABLE_END = "<!-- projects:start -->", "<!-- projects:end -->"


class GitSource:
    """A repository to read files from at a commit: a checkout, or a bare/mirrored git directory."""

    def __init__(self, path: str) -> None:
        git_dir = Path(path) / ".git"
        self.git_dir = str(git_dir if git_dir.exists() else Path(path))

    def _git(self, *args: str) -> bytes:
        return subprocess.run(["git", f"--git-dir={self.git_dir}", *args], check=True,
                              capture_output=True).stdout

    def resolve(self, rev: str) -> str:
        return self._git("rev-parse", f"{rev}^{{commit}}").decode().strip()

    def files(self, commit: str) -> list[str]:
        return self._git("ls-tree", "-r", "--name-only", "-z", commit).decode().split("\0")[:-1]

    def read(self, commit: str, path: str) -> bytes:
        return self._git("show", f"{commit}:{path}")


def load_manifest() -> list[dict[str, Any]]:
    return yaml.safe_load(MANIFEST.read_text())["projects"]


def selected(project: dict[str, Any], paths: list[str]) -> list[tuple[str, str]]:
    """(source path, path inside the project folder) for every file the manifest entry matches."""
    chosen = []
    for root in project["roots"]:
        prefix = root["path"].rstrip("/") + "/"
        for path in paths:
            rel = path[len(prefix):] if path.startswith(prefix) else None
            if rel is None or not any(fnmatch.fnmatch(rel, g) for g in root.get("include", ["*.yaml"])):
                continue
            if any(fnmatch.fnmatch(rel, g) for g in root.get("exclude", [])):
                continue
            chosen.append((path, os.path.join(root.get("dest", ""), rel)))
    return chosen


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (SSE streams, pretty JSON) as literal blocks, so the files read as text."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_cassette(interactions: list[dict[str, Any]], target: Path) -> Path:
    text = yaml.dump({"interactions": interactions, "version": 1}, Dumper=_Dumper,
                     allow_unicode=True, sort_keys=False, width=120).encode()
    if len(text) > GZIP_ABOVE:
        target = target.with_name(target.name + ".gz")
        text = gzip.compress(text, mtime=0)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text)
    return target


def refresh(source: GitSource, project: dict[str, Any], rev: str | None) -> int:
    commit = source.resolve(rev or project["commit"])
    folder = CORPUS / project["name"]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "LICENSE").write_bytes(source.read(commit, project["licence_file"]))
    for extra in project.get("licence_extra", []):  # the texts a dual-licensed LICENSE points to
        (folder / extra).write_bytes(source.read(commit, extra))
    count = 0
    for path, rel in selected(project, source.files(commit)):
        try:
            interactions = anthropic_interactions(source.read(commit, path))
        except (subprocess.CalledProcessError, yaml.YAMLError) as error:  # absent from a snapshot, or not YAML we read
            print(f"skipped {path}: {type(error).__name__}", file=sys.stderr)
            continue
        if interactions:
            dump_cassette(interactions, folder / rel)
            count += len(interactions)
    project["commit"] = commit
    leaks = [s for f in cassettes(folder) for s in find_secrets(f)]
    if leaks:
        raise SystemExit("secrets left after scrubbing:\n" + "\n".join(leaks))
    return count


def cassettes(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name.endswith((".yaml", ".yml", ".yaml.gz", ".yml.gz")))


def interactions_in(folder: Path) -> list[dict[str, Any]]:
    return [i for f in cassettes(folder) for i in load_corpus_cassette(f)["interactions"]]


def refresh_command(project: dict[str, Any]) -> str:
    return f"python3 tools/refresh_corpus.py <checkout of {project['repo']}> {project['name']}"


def sources_md(project: dict[str, Any]) -> str:
    roots = "\n".join(
        f"  - `{r['path']}/` matching {', '.join(f'`{g}`' for g in r.get('include', ['*.yaml']))}"
        + (f", except {', '.join(f'`{g}`' for g in r['exclude'])}" if r.get("exclude") else "")
        + (f", stored under `{r['dest']}/`" if r.get("dest") else "")
        for r in project["roots"])
    extra = "".join(f", with `{name}`" for name in project.get("licence_extra", []))
    return (f"# {project['name']}: where these recordings come from\n\n"
            f"Generated from `../sources.yaml` by `tools/refresh_corpus.py`; edit that file, not this one.\n\n"
            f"- Repository: https://github.com/{project['repo']}\n"
            f"- Commit: `{project['commit']}`\n"
            f"- Licence: {project['licence']} (`LICENSE` here is the project's `{project['licence_file']}`, "
            f"verbatim{extra})\n"
            f"- Format recorded in: {project.get('format', 'vcrpy')}\n"
            f"- Source paths:\n{roots}\n\n"
            f"Only the exchanges with api.anthropic.com are kept; bodies are stored as readable text "
            f"and credentials are replaced by `REDACTED`.\n\n"
            f"Refresh (from the repository root): the first command rebuilds this folder from the commit above, "
            f"the second moves it to another revision and records that in `../sources.yaml`.\n\n"
            f"```\n{refresh_command(project)}\n{refresh_command(project)} --commit <rev>\n```\n")


def projects_table(projects: list[dict[str, Any]]) -> str:
    lines = ["| project | licence | files | exchanges | " + " | ".join(CLASSES) + " |",
             "|---|---|---|---|" + "---|" * len(CLASSES)]
    for project in projects:
        folder = CORPUS / project["name"]
        found = [classes(i) for i in interactions_in(folder)]
        counts = [sum(name in f for f in found) for name in CLASSES]
        lines.append(f"| [{project['name']}]({project['name']}/SOURCES.md) | {project['licence']} | "
                     f"{len(cassettes(folder))} | {len(found)} | " + " | ".join(map(str, counts)) + " |")
    return "\n".join(lines)


def write_manifest(projects: list[dict[str, Any]]) -> None:
    text = MANIFEST.read_text()
    header, document = text.split("projects:", 1)[0], yaml.safe_load(text)
    document["projects"] = projects  # the rest (the superseded list) stays as it is
    body = yaml.safe_dump(document, sort_keys=False, width=120)
    MANIFEST.write_text(header + body)


def write_readme_table(projects: list[dict[str, Any]]) -> None:
    readme = CORPUS / "README.md"
    text = readme.read_text()
    before, rest = text.split(TABLE_START, 1)
    after = rest.split(TABLE_END, 1)[1]
    readme.write_text(f"{before}{TABLE_START}\n{projects_table(projects)}\n{TABLE_END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="checkout or git directory of the project's repository")
    parser.add_argument("project", help="its name in tests/fixtures/real-traffic/sources.yaml")
    parser.add_argument("--commit", help="revision to read instead of the manifest's commit")
    args = parser.parse_args()
    projects = load_manifest()
    project = next((p for p in projects if p["name"] == args.project), None)
    if project is None:
        raise SystemExit(f"{args.project} is not in {MANIFEST}")
    count = refresh(GitSource(args.source), project, args.commit)
    (CORPUS / project["name"] / "SOURCES.md").write_text(sources_md(project))
    write_manifest(projects)
    write_readme_table([p for p in projects if (CORPUS / p["name"]).is_dir()])
    print(f"{project['name']}: {count} exchanges at {project['commit']}")


if __name__ == "__main__":
    main()
