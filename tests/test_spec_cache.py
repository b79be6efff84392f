"""The parsed-document cache behind start-up: the same document as PyYAML gives, read from JSON
after the first time, never stale after an edit, and harmless when the folder cannot be written."""

from __future__ import annotations

import yaml

from mockserver.config import DEFAULT_SPEC
from mockserver.spec import parsed


def test_the_cached_spec_equals_the_parsed_yaml(tmp_path, monkeypatch):
    monkeypatch.setenv(parsed.CACHE_ENV, str(tmp_path))
    first = parsed.read_document(DEFAULT_SPEC)
    assert len(list(tmp_path.glob("*.json"))) == 1
    again = parsed.read_document(DEFAULT_SPEC)
    with open(DEFAULT_SPEC, "rb") as handle:
        assert first == again == yaml.load(handle, Loader=yaml.CSafeLoader)


def test_an_edited_file_is_parsed_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv(parsed.CACHE_ENV, str(tmp_path / "cache"))
    document = tmp_path / "doc.yaml"
    document.write_text("a: 1\n")
    assert parsed.read_document(document) == {"a": 1}
    document.write_text("a: 2\n")
    assert parsed.read_document(document) == {"a": 2}


def test_documents_json_cannot_hold_are_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv(parsed.CACHE_ENV, str(tmp_path / "cache"))
    document = tmp_path / "doc.yaml"
    document.write_text("200: ok\nwhen: 2024-01-01\n")
    assert parsed.read_document(document) == yaml.safe_load(document.read_text())
    assert not list((tmp_path / "cache").glob("*.json"))


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(parsed.CACHE_ENV, str(blocker / "cache"))
    document = tmp_path / "doc.yaml"
    document.write_text("a: [1, 2]\n")
    assert parsed.read_document(document) == {"a": [1, 2]}
