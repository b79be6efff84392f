"""`mockserver steady`: Steady's flags, its health route, and query arrays and objects read in the wire form
the `--validator-query-*-format` flags name, each checked with real requests on a real socket."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from mockserver.cli import main
from mockserver.config import DEFAULT_SPEC, Config
from mockserver.server import MockServer
from mockserver.spec import load_spec
from mockserver.spec.query import QueryReader
from mockserver.steady import spec_note
from mockserver.testing import free_port, wait_for_health

from .helpers import assert_api_error, headers

MOCKSERVER = str(Path(sys.executable).parent / "mockserver")

# How each array format writes ids = [first, second] on the wire.
ARRAY_WIRE = {
    "brackets": lambda a, b: f"ids[]={a}&ids[]={b}",
    "repeat": lambda a, b: f"ids={a}&ids={b}",
    "comma": lambda a, b: f"ids={a},{b}",
    "indices": lambda a, b: f"ids[1]={b}&ids[0]={a}",
    "pipe": lambda a, b: f"ids={a}|{b}",
}
# A wire form each format does not read as [first, second].
FOREIGN = {"brackets": "comma", "repeat": "brackets", "comma": "brackets", "indices": "repeat", "pipe": "brackets"}


def _upload(client: httpx.Client, name: str) -> str:
    response = client.post("/v1/files", files={"file": (name, b"data", "text/plain")}, headers=headers())
    assert response.status_code == 200, response.text
    return response.json()["id"]


def _listed(client: httpx.Client, query: str) -> set[str]:
    response = client.get(f"/v1/files?{query}", headers=headers())
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["data"]}


@pytest.mark.parametrize("fmt", sorted(ARRAY_WIRE))
def test_query_arrays_are_read_in_the_flagged_format(fmt):
    with MockServer(Config(query_array_format=fmt)) as server, httpx.Client(base_url=server.base_url) as client:
        first, second, third = (_upload(client, f"{n}.txt") for n in "abc")
        assert _listed(client, ARRAY_WIRE[fmt](first, second)) == {first, second}
        # the same ids in another form are not this parameter: the filter is not applied
        assert _listed(client, ARRAY_WIRE[FOREIGN[fmt]](first, second)) == {first, second, third}


def test_auto_reads_brackets_and_repeated_arrays_but_not_commas():
    with MockServer(Config()) as server, httpx.Client(base_url=server.base_url) as client:
        first, second = _upload(client, "a.txt"), _upload(client, "b.txt")
        assert _listed(client, ARRAY_WIRE["brackets"](first, second)) == {first, second}
        assert _listed(client, ARRAY_WIRE["repeat"](first, second)) == {first, second}
        assert _listed(client, ARRAY_WIRE["comma"](first, second)) == set()  # one id "a,b": no such file


def test_comma_array_items_are_validated_one_by_one():
    with MockServer(Config(stateless=True, query_array_format="comma")) as server:
        ok = httpx.get(f"{server.base_url}/v1/models?lifecycle=active,retired", headers=headers())
        bad = httpx.get(f"{server.base_url}/v1/models?lifecycle=active,bogus", headers=headers())
    assert ok.status_code == 200, ok.text
    assert_api_error(bad, 400, "invalid_request_error")
    assert bad.json()["error"]["message"].startswith("lifecycle[]")


# -- objects: our spec has no object query parameter, so the tests serve a copy that adds one ----------

OBJECT_WIRE = {
    "brackets": "filter[level]=3&filter[tag]=x",
    "dots": "filter.level=3&filter.tag=x",
    "flat": "level=3&tag=x",
    "flat-comma": "filter=level,3,tag,x",
    "comma": "filter=level,3,tag,x",
}
FOREIGN_OBJECT = {"brackets": "dots", "dots": "brackets", "flat": "brackets", "flat-comma": "dots", "comma": "flat"}


@pytest.fixture(scope="module")
def object_spec(tmp_path_factory) -> Path:
    spec = copy.deepcopy(load_spec(DEFAULT_SPEC))
    spec["paths"]["/v1/models"]["get"].setdefault("parameters", []).append({
        "name": "filter", "in": "query", "required": True, "style": "deepObject", "explode": True,
        "schema": {"type": "object", "additionalProperties": False, "required": ["level"],
                   "properties": {"level": {"type": "integer"}, "tag": {"type": "string"}}},
    })
    path = tmp_path_factory.mktemp("spec") / "with-object-query.yaml"
    path.write_text(json.dumps(spec))  # JSON is YAML
    return path


@pytest.fixture(scope="module")
def object_servers(object_spec) -> Iterator[dict[str, str]]:
    formats = ["auto", *OBJECT_WIRE]
    servers = {fmt: MockServer(Config(stateless=True, spec_path=object_spec, query_object_format=fmt))
               for fmt in formats}
    for server in servers.values():
        server.start()
    yield {fmt: server.base_url for fmt, server in servers.items()}
    for server in servers.values():
        server.stop()


@pytest.mark.parametrize("fmt", sorted(OBJECT_WIRE))
def test_query_objects_are_read_in_the_flagged_format(object_servers, fmt):
    base_url = object_servers[fmt]
    assert httpx.get(f"{base_url}/v1/models?{OBJECT_WIRE[fmt]}", headers=headers()).status_code == 200
    foreign = httpx.get(f"{base_url}/v1/models?{OBJECT_WIRE[FOREIGN_OBJECT[fmt]]}", headers=headers())
    assert_api_error(foreign, 400, "invalid_request_error", "filter: Field required")


def test_query_object_members_are_coerced_and_checked(object_servers):
    base_url = object_servers["brackets"]
    not_a_number = httpx.get(f"{base_url}/v1/models?filter[level]=high", headers=headers())
    assert_api_error(not_a_number, 400, "invalid_request_error",
                     "filter.level: Input should be a valid integer, unable to parse string as an integer")
    unknown = httpx.get(f"{base_url}/v1/models?filter[level]=1&filter[colour]=red", headers=headers())
    assert_api_error(unknown, 400, "invalid_request_error")
    assert "colour" in unknown.json()["error"]["message"]


def test_auto_reads_bracket_and_dot_objects(object_servers):
    base_url = object_servers["auto"]
    for query in (OBJECT_WIRE["brackets"], OBJECT_WIRE["dots"]):
        assert httpx.get(f"{base_url}/v1/models?{query}", headers=headers()).status_code == 200


def test_an_unknown_format_is_refused_at_start(capsys):
    with pytest.raises(ValueError, match="choose one of"):
        QueryReader(array_format="semicolon")
    for command in ("steady", "serve"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--validator-query-object-format=semicolon"])
        assert exit_.value.code == 2 and "invalid choice: 'semicolon'" in capsys.readouterr().err


# -- the command line, as an SDK's scripts/mock writes it -----------------------------------------------

def test_steady_command_line_serves_stateless_with_the_health_route(tmp_path):
    port = free_port()
    command = [MOCKSERVER, "steady", "--host", "127.0.0.1", "-p", str(port), "-q",
               "--validator-query-array-format=comma", "--validator-form-array-format=brackets",
               "--validator-query-object-format=brackets", "--validator-form-object-format=brackets",
               "--log-level=details", "--generator-seed=3", "https://example.invalid/openapi.yml"]
    log = tmp_path / "steady.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for_health(f"{base_url}/_x-steady/health", process, timeout=60)
            health = httpx.get(f"{base_url}/_x-steady/health").json()
            mock_health = httpx.get(f"{base_url}/_mock/health").json()
            ok = httpx.get(f"{base_url}/v1/models?lifecycle=active,retired", headers=headers())
            bad = httpx.get(f"{base_url}/v1/models?lifecycle=active,bogus", headers=headers())
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert health["status"] == "healthy" and health["server"] == "anthropic-mockserver"
    assert mock_health["stateless"] is True
    assert ok.status_code == 200 and bad.status_code == 400  # --validator-query-array-format=comma reached the server
    assert log.read_text() == ""  # -q: nothing at start


def test_steady_version_and_a_local_spec_is_compared(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["steady", "--version"])
    assert exit_.value.code == 0 and "anthropic-mockserver" in capsys.readouterr().out

    theirs = copy.deepcopy(load_spec(DEFAULT_SPEC))
    theirs["paths"]["/v1/widgets"] = {"get": {"operationId": "widgets_list", "responses": {}}}
    path = tmp_path / "theirs.yaml"
    path.write_text(json.dumps(theirs))
    note = spec_note(str(path))
    assert "operations in" in note and note.endswith("not served: GET /v1/widgets")
    assert "is not fetched" in spec_note("https://example.invalid/openapi.yml")


def test_the_health_route_answers_in_every_mode():
    with MockServer(Config()) as server:
        response = httpx.get(f"{server.base_url}/_x-steady/health")
    assert response.status_code == 200 and response.json()["status"] == "healthy"
