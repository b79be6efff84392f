"""The real-traffic corpus: provenance, no secrets, enough exchanges, every kind of traffic.

The corpus (tests/fixtures/real-traffic/) is what the mock is judged against, so these checks keep it
honest: each project is traceable to a commit and a licence, nothing credential-like is committed, and
it keeps covering the families of the API it covers today.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tools.corpus.coverage import CLASSES, classes
from tools.corpus.normalise import anthropic_interactions
from tools.corpus.scrub import find_secrets, load_corpus_cassette
from tools import refresh_corpus
from tools.refresh_corpus import CORPUS, cassettes, dump_cassette, load_manifest

# No project we may use records these; when a refresh brings one in, move it out of this set.
KNOWN_ABSENT: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[dict]]:
    """Every interaction of the corpus, by project."""
    return {p["name"]: [i for f in cassettes(CORPUS / p["name"]) for i in load_corpus_cassette(f)["interactions"]]
            for p in load_manifest()}


def test_every_project_folder_has_its_licence_and_sources():
    projects = load_manifest()
    assert {p["name"] for p in projects} == {d.name for d in CORPUS.iterdir() if d.is_dir()}
    for project in projects:
        folder = CORPUS / project["name"]
        assert "licen" in (folder / "LICENSE").read_text().lower(), project["name"]
        sources = (folder / "SOURCES.md").read_text()
        assert f"https://github.com/{project['repo']}" in sources
        assert len(project["commit"]) == 40 and project["commit"] in sources
        assert f"tools/refresh_corpus.py <checkout of {project['repo']}> {project['name']}" in sources
        assert project["licence"] in sources


def test_no_secret_is_left_in_any_file():
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    assert len(files) > 300
    leaks = [s for f in files for s in find_secrets(f)]
    assert leaks == []


PLANTED = {
    "api key in a body": ("Hello", "Hello sk-ant-api03-AbCdEf0123456789"),
    "bearer token": ("accept-encoding:", "authorization:\n      - Bearer abcdef0123456789abcdef\n      accept-encoding:"),
    "x-api-key header": ("accept-encoding:", "x-api-key:\n      - 0123456789abcdef\n      accept-encoding:"),
    "cookie header": ("accept-encoding:", "cookie:\n      - __cf_bm=AbC123; path=/\n      accept-encoding:"),
    "organization header": ("accept-encoding:",
                            "anthropic-organization-id:\n      - 3f1c2a9e-1b2c-4d5e-8f90-0a1b2c3d4e5f\n      accept-encoding:"),
    "organization id in a body": ("Hello", 'Hello \\"organization_id\\": \\"3f1c2a9e-1b2c-4d5e-8f90-0a1b2c3d4e5f\\"'),
}
SAMPLE = """interactions:
- request:
    method: POST
    uri: https://api.anthropic.com/v1/messages
    body: '{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"Hello"}]}'
    headers:
      accept-encoding:
      - gzip
  response:
    status: {code: 200, message: OK}
    headers:
      content-type:
      - application/json
    body:
      string: "{\\"type\\":\\"message\\",\\"content\\":[{\\"type\\":\\"text\\",\\"text\\":\\"Hello\\"}]}"
version: 1
"""


@pytest.mark.parametrize("compressed", [False, True], ids=["yaml", "yaml.gz"])
@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_the_scanner_finds_a_planted_secret(tmp_path, kind, compressed):
    old, new = PLANTED[kind]
    assert find_secrets(_write(tmp_path, SAMPLE, compressed)) == []
    assert find_secrets(_write(tmp_path, SAMPLE.replace(old, new, 1), compressed)) != []


def test_the_scanner_finds_a_secret_planted_in_a_copy_of_the_corpus(tmp_path):
    source = next(f for f in cassettes(CORPUS) if f.name.endswith(".gz"))
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    assert find_secrets(copy) == []
    text = gzip.decompress(copy.read_bytes()).decode().replace("REDACTED", "sk-ant-api03-Zz9Yy8Xx7Ww6", 1)
    copy.write_bytes(gzip.compress(text.encode()))
    assert any("api key" in s for s in find_secrets(copy))


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_import_scrubs_what_the_scanner_looks_for(tmp_path, kind):
    old, new = PLANTED[kind]
    imported = anthropic_interactions(SAMPLE.replace(old, new, 1))
    assert find_secrets(dump_cassette(imported, tmp_path / "scrubbed.yaml")) == []


def test_import_keeps_only_anthropic_traffic_with_readable_bodies():
    def interaction(host: str) -> dict:
        return {"request": {"method": "POST", "uri": f"https://{host}/v1/messages", "body": None, "headers": {}},
                "response": {"status": {"code": 200, "message": "OK"},
                             "headers": {"Content-Encoding": ["gzip"], "Content-Length": ["38"]},
                             "body": {"string": gzip.compress(b'{"type":"message"}')}}}

    raw = yaml.safe_dump({"interactions": [interaction("api.openai.com"), interaction("api.anthropic.com")]})
    assert "!!binary" in raw
    [kept] = anthropic_interactions(raw)
    assert kept["response"]["body"]["string"] == '{"type":"message"}'
    assert kept["response"]["headers"] == {}


def test_import_reads_ruby_vcr_cassettes():
    ruby = """---
http_interactions:
- request:
    method: post
    uri: https://api.anthropic.com/v1/messages/count_tokens
    body: {encoding: UTF-8, string: '{"model":"claude-haiku-4-5","messages":[]}'}
    headers:
      X-Api-Key: ["<ANTHROPIC_API_KEY>"]
  response:
    status: {code: 200, message: OK}
    headers:
      Anthropic-Organization-Id: ["<ANTHROPIC_ORGANIZATION_ID>"]
    body:
      encoding: ASCII-8BIT
      string: !binary |-
        eyJpbnB1dF90b2tlbnMiOjE0fQ==
  recorded_at: Wed, 19 Aug 2026 14:34:12 GMT
recorded_with: VCR 6.4.0
"""
    [kept] = anthropic_interactions(ruby)
    assert kept["request"]["method"] == "POST"
    assert kept["request"]["headers"]["X-Api-Key"] == ["REDACTED"]
    assert kept["response"]["body"]["string"] == '{"input_tokens":14}'


def test_at_least_300_exchanges_from_at_least_3_projects(corpus):
    sizes = {name: len(found) for name, found in corpus.items() if found}
    assert sum(sizes.values()) >= 300 and len(sizes) >= 3, sizes


def test_every_exchange_is_with_the_anthropic_api_and_stored_as_text(corpus):
    for interaction in (i for found in corpus.values() for i in found):
        assert urlsplit(interaction["request"]["uri"]).hostname == "api.anthropic.com"
        assert isinstance(interaction["response"]["body"]["string"], str)
        assert interaction["request"]["body"] is None or isinstance(interaction["request"]["body"], str)
        assert "content-encoding" not in {h.lower() for h in interaction["response"]["headers"]}


def test_every_coverage_class_is_present(corpus):
    seen = Counter(name for found in corpus.values() for i in found for name in classes(i))
    assert [c for c in CLASSES if not seen[c] and c not in KNOWN_ABSENT] == []
    assert [c for c in KNOWN_ABSENT if seen[c]] == [], "now present: take it out of KNOWN_ABSENT and the README"


def test_the_readme_table_matches_the_corpus(corpus):
    readme = (CORPUS / "README.md").read_text()
    for name, found in corpus.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| [{name}]"))
        assert f"| {len(found)} |" in row, row


def _write(folder: Path, text: str, compressed: bool) -> Path:
    if compressed:
        path = folder / "planted.yaml.gz"
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path = folder / "planted.yaml"
        path.write_text(text)
    yaml.safe_load(text)  # the planted file is still a cassette
    return path


def test_import_reads_header_names_pickled_by_aiohttp_recordings():
    aiohttp = SAMPLE.replace("      accept-encoding:\n", "      ? !!python/object/apply:multidict._multidict.istr\n"
                                                        "      - X-Api-Key\n      : - sk-ant-api03-Zz9Yy8Xx7Ww6\n"
                                                        "      accept-encoding:\n", 1)
    [kept] = anthropic_interactions(aiohttp)
    assert kept["request"]["headers"]["X-Api-Key"] == ["REDACTED"]
    assert kept["request"]["headers"]["accept-encoding"] == ["gzip"]


def test_refresh_rebuilds_a_project_folder_from_a_git_repository(tmp_path, monkeypatch):
    repo = tmp_path / "upstream"
    (repo / "tests" / "cassettes").mkdir(parents=True)
    (repo / "LICENSE").write_text("MIT License\n\nPermission is hereby granted...\n")
    with_key = SAMPLE.replace("accept-encoding:", "x-api-key:\n      - sk-ant-api03-Zz9Yy8Xx7Ww6\n      accept-encoding:")
    (repo / "tests" / "cassettes" / "test_hello.yaml").write_text(with_key)
    (repo / "tests" / "cassettes" / "test_other.yaml").write_text(SAMPLE.replace("api.anthropic.com", "api.openai.com"))
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    corpus = tmp_path / "real-traffic"
    corpus.mkdir()
    (corpus / "README.md").write_text(f"# t\n\n{refresh_corpus.TABLE_START}\n{refresh_corpus.TABLE_END}\n")
    (corpus / "sources.yaml").write_text(yaml.safe_dump({"projects": [{
        "name": "upstream", "repo": "someone/upstream", "commit": "HEAD", "licence": "MIT", "licence_file": "LICENSE",
        "roots": [{"path": "tests/cassettes", "include": ["*.yaml"]}]}],
        "superseded": [{"file": "upstream/test_hello.yaml", "reason": "r", "evidence": ["https://e"]}]}))
    monkeypatch.setattr(refresh_corpus, "CORPUS", corpus)
    monkeypatch.setattr(refresh_corpus, "MANIFEST", corpus / "sources.yaml")
    monkeypatch.setattr("sys.argv", ["refresh_corpus.py", str(repo), "upstream"])

    refresh_corpus.main()

    folder = corpus / "upstream"
    assert sorted(p.name for p in folder.iterdir()) == ["LICENSE", "SOURCES.md", "test_hello.yaml"]
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert commit in (folder / "SOURCES.md").read_text()
    manifest = yaml.safe_load((corpus / "sources.yaml").read_text())
    assert manifest["projects"][0]["commit"] == commit
    assert manifest["superseded"][0]["file"] == "upstream/test_hello.yaml"  # the rest of the manifest stays
    [kept] = load_corpus_cassette(folder / "test_hello.yaml")["interactions"]
    assert kept["request"]["headers"]["x-api-key"] == ["REDACTED"]
    assert "| [upstream](upstream/SOURCES.md) | MIT | 1 | 1 |" in (corpus / "README.md").read_text()
