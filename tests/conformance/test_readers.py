"""`mockserver conformance` reads a vcrpy cassette (plain, gzipped, gzip-encoded bodies), a folder of
them, and a cassette recorded by our own `serve --proxy --record-mode`, and replays each faithfully."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ElementTree

import httpx
import pytest
import yaml

from mockserver.catalog import builtin_catalog
from mockserver.conformance import run_conformance
from mockserver.config import Config
from mockserver.server import MockServer

from .support import HELLO, MODEL, conformance, everyday_calls, record_with_vcrpy, write_cassette
from ..recording.support import sdk

ROUTES = ["POST /v1/messages", "POST /v1/messages", "POST /v1/messages", "POST /v1/messages/count_tokens",
          "POST /v1/files", "GET /v1/files/{id}", "POST /v1/messages"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    path = tmp_path_factory.mktemp("vcr") / "everyday.yaml"
    interactions = record_with_vcrpy(path, everyday_calls)
    return path, interactions


def test_a_vcrpy_cassette_replays_with_no_differences_and_the_junit_report_lists_each_exchange(recorded, tmp_path):
    path, interactions = recorded
    assert [i["response"]["status"]["code"] for i in interactions] == [200, 200, 200, 200, 200, 200, 400]
    junit = tmp_path / "report.xml"
    done = conformance(str(path), "--junit-xml", str(junit))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 exchanges replayed against the in-process mock" in done.stdout and "no differences" in done.stdout
    assert "input tokens: n=4, median |err| 0.0%" in done.stdout  # same mock, same counts
    suite = ElementTree.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("7", "0")
    assert [case.get("name").split(" ", 1)[1] for case in suite] == ROUTES


def test_ids_the_real_api_returned_are_mapped_to_the_mocks_and_unknown_ids_go_to_the_stateless_mock(recorded, tmp_path):
    path, interactions = recorded
    report = run_conformance([path])
    assert [r.label for r in report.results] == ROUTES
    assert not any(r.stateless for r in report.results) and report.ok
    orphan = write_cassette(tmp_path / "orphan.yaml", [interactions[5]])  # the read without its upload
    [result] = run_conformance([orphan]).results
    assert result.stateless and result.status == 200 and not result.differences


def test_gzipped_files_and_gzip_encoded_binary_bodies_are_read(recorded, tmp_path):
    path, interactions = recorded
    encoded = []
    for interaction in interactions:
        response = dict(interaction["response"])
        response["body"] = {"string": gzip.compress(response["body"]["string"].encode())}  # dumped as !!binary
        response["headers"] = {**response["headers"], "Content-Encoding": ["gzip"]}
        encoded.append({**interaction, "response": response})
    text = yaml.safe_dump({"interactions": encoded, "version": 1})
    assert "!!binary" in text
    packed = tmp_path / "everyday.yaml.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    report = run_conformance([packed])
    assert len(report.results) == 7 and report.ok, [(r.exchange.source, r.differences) for r in report.results]
    assert report.tokens.n == 4 and report.tokens.median == 0.0 and report.tokens.within_10_percent == 1.0


def test_a_folder_is_walked_and_only_anthropic_api_exchanges_are_kept(recorded, tmp_path):
    path, interactions = recorded
    other = {"request": {"method": "POST", "uri": "https://api.openai.com/v1/chat/completions", "body": "{}",
                         "headers": {"Authorization": ["Bearer x"]}},
             "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": "{}"}}}
    (tmp_path / "alpha" / "deep").mkdir(parents=True)
    (tmp_path / "beta").mkdir()
    write_cassette(tmp_path / "alpha" / "deep" / "one.yaml", [interactions[0], other])
    (tmp_path / "beta" / "two.yaml.gz").write_bytes(gzip.compress(path.read_bytes()))
    (tmp_path / "beta" / "notes.txt").write_text("not a cassette")
    report = run_conformance([tmp_path])
    assert [(r.exchange.project, r.label) for r in report.results][:2] == [
        ("alpha", "POST /v1/messages"), ("beta", "POST /v1/messages")]
    assert len(report.results) == 8 and report.ok


def test_a_cassette_recorded_by_our_own_record_mode_replays(tmp_path):
    with MockServer(Config(seed=11, batch_seconds=0.0)) as real, \
            MockServer(Config(seed=99, proxy=real.base_url, cassettes=tmp_path, record_mode="once")) as proxy:
        client = sdk(proxy)
        client.messages.create(model=MODEL, max_tokens=3, messages=HELLO)
        with client.messages.stream(model=MODEL, max_tokens=100, messages=HELLO) as stream:
            stream.get_final_message()
        batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": {
            "model": MODEL, "max_tokens": 5, "messages": HELLO}}])
        client.messages.batches.retrieve(batch.id)
    cassette = tmp_path / "default.yaml"
    assert cassette.read_text().count("- request:") == 4 and "msgbatch_" in cassette.read_text()
    done = conformance(str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 exchanges replayed" in done.stdout and "(0 by the stateless mock" in done.stdout


def test_an_our_cassette_with_a_planted_extra_field_fails(tmp_path):
    with MockServer(Config(seed=11)) as real, \
            MockServer(Config(proxy=real.base_url, cassettes=tmp_path, record_mode="once")) as proxy:
        sdk(proxy).messages.create(model=MODEL, max_tokens=3, messages=HELLO)
    cassette = tmp_path / "default.yaml"
    document = yaml.safe_load(cassette.read_text())
    document["interactions"][0]["response"]["body"]["json"]["usage"]["planted_detail"] = {"n": 1}
    cassette.write_text(yaml.safe_dump(document))
    done = conformance(str(cassette))
    assert done.returncode == 1
    assert "missing key usage.planted_detail" in done.stdout and "1 with differences" in done.stdout


def test_a_model_retired_since_the_recording_and_a_scrubbed_version_header_still_replay(recorded, tmp_path):
    path, interactions = recorded
    retired = next(entry.id for entry in builtin_catalog() if entry.retired)
    old = json.loads(interactions[0]["request"]["body"])
    request = {**interactions[0]["request"], "body": json.dumps({**old, "model": retired}),
               "headers": {**interactions[0]["request"]["headers"], "anthropic-version": ["REDACTED"]}}
    cassette = write_cassette(tmp_path / "old.yaml", [{**interactions[0], "request": request}])
    [result] = run_conformance([cassette]).results
    assert result.status == 200 and not result.differences
    with MockServer(Config()) as today:  # served as it is today, the model is gone
        gone = httpx.post(today.base_url + "/v1/messages", content=request["body"], headers={
            "x-api-key": "sk-ant-api03-x", "anthropic-version": "2023-06-01", "content-type": "application/json"})
    assert gone.status_code == 404
