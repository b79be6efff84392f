"""The model catalog."""

from pathlib import Path

from anthropic.types import ModelInfo

from mockserver.catalog import builtin_catalog, load_catalog
from mockserver.engine import create_message
from tests.engine.support import ctx

SDK_MODELS = ("claude-sonnet-5", "claude-fable-5", "claude-mythos-5", "claude-opus-5", "claude-opus-4-8",
              "claude-opus-4-7", "claude-mythos-preview", "claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5",
              "claude-haiku-4-5-20251001", "claude-opus-4-5", "claude-opus-4-5-20251101", "claude-fable-5-2", "claude-mythos-5-2", "claude-haiku-5-5",
              "claude-sonnet-5-5", "claude-fable-5-1", "claude-opus-5-5", "claude-mythos-5-1")
OLDER = ("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219", "claude-3-5-haiku-latest",
         "claude-3-5-haiku-20241022", "claude-sonnet-4-20250514", "claude-sonnet-4-0", "claude-4-sonnet-20250514",
         "claude-opus-4-0", "claude-opus-4-20250514", "claude-4-opus-20250514", "claude-opus-4-1-20250805",
         "claude-3-opus-latest", "claude-3-opus-20240229", "claude-3-haiku-20240307")


def test_every_known_model_id_resolves() -> None:
    catalog = builtin_catalog()
    for name in SDK_MODELS + OLDER:
        assert catalog.resolve(name) is not None, name
    assert catalog.resolve("claude-haiku-4-5").id == "claude-haiku-4-5-20251001"
    assert catalog.resolve("claude-1.3") is None


def test_lifecycles_follow_the_newest_sdk() -> None:
    """2.16.0 drops claude-sonnet-4-5 (retired) and lists claude-opus-4-5 and claude-mythos-preview as
    deprecated, with their retirement dates."""
    catalog = builtin_catalog()
    for name in ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"):
        assert catalog.resolve(name).lifecycle == "retired"
    assert catalog.resolve("claude-opus-4-5").info()["lifecycle"] == "deprecated"
    assert catalog.resolve("claude-opus-4-5").retires_at == "2027-01-22T00:00:00Z"
    assert catalog.resolve("claude-mythos-preview").lifecycle == "deprecated"
    assert catalog.resolve("claude-mythos-preview").retires_at == "2026-06-30T00:00:00Z"


def test_every_deprecated_or_retired_model_states_when_it_was_deprecated() -> None:
    """`deprecated_at` is filled in before the retirement date for every model that is not active."""
    for entry in builtin_catalog().entries:
        if entry.lifecycle != "active":
            assert entry.deprecated_at is not None, entry.id
            assert entry.retires_at is None or entry.deprecated_at < entry.retires_at, entry.id


def test_entries_are_newest_first_and_valid_model_infos() -> None:
    entries = builtin_catalog().entries
    stamps = [e.created_at for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    for entry in entries:
        info = ModelInfo.model_validate(entry.info())
        assert info.id == entry.id and info.type == "model"


def test_an_extra_file_adds_and_replaces_models(tmp_path: Path) -> None:
    extra = tmp_path / "models.yaml"
    extra.write_text("models:\n"
                     "  - {id: acme-model-1, display_name: Acme 1, created_at: '2027-01-01T00:00:00Z',"
                     " aliases: [acme], max_tokens: 100}\n"
                     "  - {id: claude-haiku-4-5-20251001, display_name: Renamed, created_at: '2025-09-29T00:00:00Z'}\n")
    catalog = load_catalog(extra)
    assert catalog.entries[0].id == "acme-model-1" and catalog.resolve("acme").max_tokens == 100
    assert catalog.resolve("claude-haiku-4-5").display_name == "Renamed"
    message = create_message({"model": "acme", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]},
                             ctx(catalog=catalog))
    assert message["model"] == "acme-model-1"
