"""`mockserver cassette export --har` writes HAR 1.2 (validated against its schema);
`mockserver contract --cassettes DIR` passes on faithful recordings and names the field of a planted drift."""

from __future__ import annotations

import json

import jsonschema
import yaml

from mockserver.cli import main

from .har_schema import HAR_1_2
from .support import BODY, post, recorder, sdk, upstream


def _record_mixed(folder) -> None:
    with upstream() as real, recorder(folder, real.base_url, "once") as proxy:
        post(proxy)
        post(proxy, {**BODY, "stream": True})
        post(proxy, {"model": BODY["model"], "messages": BODY["messages"]}, "/v1/messages/count_tokens")
        post(proxy, x_mock_error="rate_limit_error", x_mock_retry_after="3")
        sdk(proxy).beta.files.upload(file=("a.txt", b"hello", "text/plain"))


def test_har_export_validates_against_the_har_1_2_schema(tmp_path, capsys):
    _record_mixed(tmp_path)
    target = tmp_path / "out.har"
    assert main(["cassette", "export", "--har", str(tmp_path / "default.yaml"), "-o", str(target)]) == 0
    har = json.loads(target.read_text())
    jsonschema.validate(har, HAR_1_2, format_checker=jsonschema.FormatChecker())
    entries = har["log"]["entries"]
    assert [e["response"]["status"] for e in entries] == [200, 200, 200, 429, 200]
    assert entries[1]["response"]["content"]["mimeType"].startswith("text/event-stream")
    assert entries[1]["time"] >= 0 and entries[0]["request"]["postData"]["mimeType"] == "application/json"
    assert entries[4]["request"]["postData"]["mimeType"].startswith("multipart/form-data")
    assert "5 entries written" in capsys.readouterr().out
    broken = {"log": {**har["log"], "entries": [{**entries[0], "timings": {"send": 0}}]}}
    assert not jsonschema.Draft202012Validator(HAR_1_2).is_valid(broken)  # the schema does check


def test_contract_on_cassettes_passes_then_fails_on_a_planted_drift(tmp_path, capsys):
    _record_mixed(tmp_path)
    assert main(["contract", "--cassettes", str(tmp_path)]) == 0
    assert "5 recorded responses checked" in capsys.readouterr().out
    path = tmp_path / "default.yaml"
    document = yaml.safe_load(path.read_text())
    document["interactions"][0]["response"]["body"]["json"]["usage"]["output_tokens"] = "many"
    stream = document["interactions"][1]["response"]["events"]
    del stream[0]["json"]["message"]["role"]
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    assert main(["contract", "--cassettes", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "#1 messages_create: the body: usage.output_tokens: Input should be a valid integer" in out
    assert "#2 messages_create: event #0 (message_start): message_start.message.role: Field required" in out
    assert "2 drift(s)" in out
