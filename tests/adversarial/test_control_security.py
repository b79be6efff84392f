"""Issue 11, items 1, 2, 5 and 12: the control API cannot be driven by a web page (CSRF, DNS
rebinding), --api-key locks the admin routes, YAML bombs and odd YAML are refused with a 4xx in
the envelope, and a bad bearer token is a 401 — each sent as raw bytes to a server in its own process."""

from __future__ import annotations

import json

import pytest

from mockserver.cli import main
from mockserver.config import Config

from ..helpers import KEY, LEGACY, asgi_client, assert_api_error, headers
from .servers import ServerProcess, ServerThread
from .support import assert_envelope, ordinary_message, request_bytes, send_raw, while_misbehaving

TOKEN = "s3cret-token"
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as process:
        yield process


@pytest.fixture(scope="module")
def token_server():
    with ServerProcess("--control-token", TOKEN) as process:
        yield process


def control(server, method, path, body=b"", host=None, **headers):
    sent = {k.replace("_", "-"): v for k, v in headers.items()}
    data = request_bytes(method, path, sent, body, host=host or f"127.0.0.1:{server.port}")  # as browsers send it
    return send_raw(server, data)


def rules(server, document, content_type="application/json", **headers):
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return control(server, "POST", "/_mock/rules", body, content_type=content_type, **headers)


def reply_text(server):
    return ordinary_message(server).json()["content"][0]["text"]


# -- item 1: CSRF and DNS rebinding ---------------------------------------------------------------

def test_the_issue_curl_from_a_foreign_page_is_refused_and_injects_nothing(server):
    pwned = b'{"respond":{"text":"pwned"}}'
    refused = while_misbehaving(server, lambda: control(
        server, "POST", "/_mock/rules", pwned, host="evil.example", content_type="text/plain",
        origin="https://evil.example"))
    assert_envelope(refused, 403, "permission_error")
    assert reply_text(server) != "pwned"
    assert json.loads(control(server, "GET", "/_mock/rules").body)["rules"] == []


@pytest.mark.parametrize("method, path", [("GET", "/_mock/journal"), ("GET", "/_mock/rules"),
                                          ("POST", "/_mock/reset")])
def test_a_rebound_host_name_reads_and_changes_nothing(server, method, path):
    assert_envelope(control(server, method, path, host="evil.example"), 403, "permission_error", "Host")
    assert_envelope(control(server, method, path, host="evil.example:4030"), 403, "permission_error")


def test_a_foreign_origin_is_refused_even_with_a_loopback_host_and_json(server):
    response = rules(server, {"respond": {"text": "pwned"}}, origin="https://evil.example")
    assert_envelope(response, 403, "permission_error", "Origin")
    assert_envelope(rules(server, {"respond": {"text": "x"}}, origin="null"), 403, "permission_error")
    assert reply_text(server) != "pwned"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", ""])
def test_bodies_must_be_json_or_yaml(server, content_type):
    response = rules(server, {"respond": {"text": "pwned"}}, content_type=content_type)
    assert_envelope(response, 403, "permission_error", "application/json")
    assert reply_text(server) != "pwned"


def test_loopback_names_and_the_page_served_by_the_mock_itself_are_accepted(server):
    port = server.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
        response = control(server, "GET", "/_mock/rules", host=host)
        assert response.status == 200 and response.headers["request-id"].startswith("req_"), host
    assert send_raw(server, b"GET /_mock/rules HTTP/1.0\r\n\r\n").status == 200  # HTTP/1.0 sends no Host
    same_site = rules(server, {"id": "same-site", "respond": {"text": "from the inspector"}},
                      origin=f"http://127.0.0.1:{port}")
    assert same_site.status == 201, same_site.body
    assert reply_text(server) == "from the inspector"
    yaml_rule = rules(server, b"id: yaml-rule\nrespond: {text: from yaml}\npriority: 1\n", "application/yaml")
    assert yaml_rule.status == 201 and reply_text(server) == "from yaml"
    assert control(server, "DELETE", "/_mock/rules").status == 200


def test_with_a_control_token_any_host_may_call_but_a_foreign_origin_may_not(token_server):
    auth = f"Bearer {TOKEN}"
    assert control(token_server, "GET", "/_mock/rules", host="mock.internal:4010", authorization=auth).status == 200
    assert_envelope(control(token_server, "GET", "/_mock/rules", authorization="Bearer wrong"),
                    401, "authentication_error")
    foreign = rules(token_server, {"respond": {"text": "x"}}, host="mock.internal", authorization=auth,
                    origin="https://evil.example")
    assert_envelope(foreign, 403, "permission_error")


def test_unknown_control_routes_and_methods_answer_in_the_envelope(server):
    assert_envelope(control(server, "GET", "/_mock/" + "x" * 2000), 404, "not_found_error")
    not_allowed = control(server, "PATCH", "/_mock/rules")
    assert_envelope(not_allowed, 405, "invalid_request_error")
    assert "GET" in not_allowed.headers["allow"]


# -- item 12: a non-ASCII bearer token, odd YAML ------------------------------------------------------

@pytest.mark.parametrize("token", ["Bearer tökén", "Bearer \xff\xfe", f"Bearer {TOKEN}é", "Bearer"])
def test_a_non_ascii_or_malformed_bearer_token_is_a_401_in_the_envelope(token_server, token):
    response = while_misbehaving(token_server, lambda: control(token_server, "GET", "/_mock/rules",
                                                                    authorization=token))
    assert_envelope(response, 401, "authentication_error")


@pytest.mark.parametrize("document, says", [
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
    ("a: " + "[" * 100 + "]" * 100 + "\n", "nested deeper than 64"),
    ("respond:\n  text: !!binary aGVsbG8=\n", "!!binary"),
    ("respond: {text: hi}\nmatch:\n  headers:\n    .nan: x\n", "keys must be strings"),
    ("respond:\n  text: [1, 2\n", "cannot parse the YAML"),
    ("- respond: {text: a}\n---\n- respond: {text: b}\n", "cannot parse the YAML"),
])
def test_odd_yaml_is_a_400_in_the_envelope(server, document, says):
    response = while_misbehaving(server, lambda: rules(server, document.encode(), "application/yaml"))
    assert_envelope(response, 400, "invalid_request_error", says)


def test_a_yaml_date_is_a_400_naming_the_field_and_a_quoted_one_is_text(server):
    response = while_misbehaving(server, lambda: rules(
        server, b"id: dated\npriority: 1\nrespond:\n  text: 2024-01-01\n", "application/yaml"))
    assert_envelope(response, 400, "invalid_request_error", "/respond/text: a YAML date is not a JSON value")
    quoted = rules(server, b"id: dated\npriority: 1\nrespond:\n  text: '2024-01-01'\n", "application/yaml")
    assert quoted.status == 201, quoted.body
    assert reply_text(server) == "2024-01-01"
    assert control(server, "DELETE", "/_mock/rules/dated").status == 200


def test_deep_json_is_a_400_in_the_envelope(server):
    body = b'{"respond": {"body": ' + b"[" * 500 + b"]" * 500 + b"}}"
    assert_envelope(rules(server, body), 400, "invalid_request_error", "nested deeper")
    assert_envelope(rules(server, b"[" * 100_000 + b"]" * 100_000), 400, "invalid_request_error")


# -- item 5: YAML bombs, body size, no echo -----------------------------------------------------------

def test_billion_laughs_is_refused_at_once_without_memory_or_echo(server):
    assert len(BILLION_LAUGHS.encode()) < 600
    before = server.rss_mb()
    # refused before expansion: the `aliases` message, the memory, and while_misbehaving's bystander
    # (timed against a baseline from the same run) say so without a wall-clock bound
    response = while_misbehaving(server, lambda: rules(server, BILLION_LAUGHS.encode(), "application/yaml"))
    assert_envelope(response, 400, "invalid_request_error", "aliases")
    assert len(response.body) < 1000  # the body is never echoed, let alone its expansion
    assert server.rss_mb() - before < 30  # MB; today: 3 GB


def test_ordinary_anchors_and_merge_keys_still_load(server):
    document = (b"rules:\n"
                b"  - id: anchored\n    priority: 1\n    match: &ours {headers: {x-which: anchors}}\n"
                b"    respond: &base {text: shared, headers: {x-a: '1'}}\n"
                b"  - id: merged\n    priority: 1\n    match: {<<: *ours, model: nobody}\n"
                b"    respond: {<<: *base, text: merged}\n")
    response = rules(server, document, "application/yaml")
    assert response.status == 201, response.body
    stored = {rule["id"]: rule for rule in response.json()["rules"]}
    assert stored["merged"]["respond"] == {"text": "merged", "headers": {"x-a": "1"}}
    assert control(server, "DELETE", "/_mock/rules").status == 200


def test_a_huge_yaml_document_is_refused_without_holding_up_other_clients(server):
    document = b"respond:\n  body:\n" + b"  - 1\n" * 400_000  # 2.4 MB, under the body cap
    response = while_misbehaving(server, lambda: rules(server, document, "application/yaml"), settle=0.2)
    assert_envelope(response, 400, "invalid_request_error", "100000 values")


def test_a_large_json_rule_is_parsed_without_holding_up_other_clients(server):
    rule = {"id": "big-body", "match": {"headers": {"x-which": "big"}},
            "respond": {"status": 200, "body": [{"n": n, "s": "x" * 8} for n in range(100_000)]}}
    response = while_misbehaving(server, lambda: rules(server, rule), settle=0.2)
    assert response.status == 201, response.body[:300]
    assert control(server, "DELETE", "/_mock/rules/big-body").status == 200


def test_a_long_yaml_line_is_not_echoed_in_the_error(server):
    document = b"respond: {text: hi}\nbad: [" + b"x" * 500_000 + b"\n"
    response = rules(server, document, "application/yaml")
    assert_envelope(response, 400, "invalid_request_error")
    assert len(response.body) < 1000


def test_control_bodies_are_capped(server):
    """A body declared larger than --control-body-bytes (default 4 MiB) is refused before it is read."""
    head = request_bytes("POST", "/_mock/rules", {"content-type": "application/json"},
                         declared_length=5 * 1024 * 1024)
    response = while_misbehaving(server, lambda: send_raw(server, head))
    body = assert_envelope(response, 413, "request_too_large", "--control-body-bytes")
    assert len(json.dumps(body)) < 1000


# -- item 2: --api-key locks the admin routes ----------------------------------------------------------

@pytest.fixture(scope="module")
def locked_server():
    with ServerProcess("--api-key", "sk-real", "--api-key", KEY) as process:  # the issue's command + our key
        yield process


def admin_request(server, key):
    return send_raw(server, request_bytes("GET", "/v1/organizations/api_keys", headers(LEGACY, key=key)))


@pytest.mark.parametrize("key", ["sk-ant-admin01-guessed", "sk-ant-admin", "sk-ant-admin-" + "x" * 200])
def test_with_api_key_a_guessed_admin_key_is_a_401(locked_server, key):
    response = while_misbehaving(locked_server, lambda: admin_request(locked_server, key))
    assert_envelope(response, 401, "authentication_error")
    assert_envelope(admin_request(locked_server, "sk-real"), 403, "permission_error")


def test_with_api_key_only_admin_keys_open_the_admin_routes():
    client = asgi_client(Config(api_keys=("sk-real",), admin_keys=("sk-ant-admin01-real",)))
    assert client.get("/v1/organizations/api_keys", headers=headers(key="sk-ant-admin01-real")).status_code == 200
    guessed = client.get("/v1/organizations/api_keys", headers=headers(key="sk-ant-admin01-guess"))
    assert_api_error(guessed, 401, "authentication_error")
    unlocked = asgi_client(Config())  # no --api-key: any sk-ant-admin key, as before
    assert unlocked.get("/v1/organizations/api_keys", headers=headers(key="sk-ant-admin01-any")).status_code == 200


def test_the_help_says_so(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "admin routes accept only --admin-key keys" in text


def test_a_streamed_control_body_is_cut_off_at_the_cap():
    with ServerThread(control_body_bytes=100) as small:
        chunks = [b'{"respond": {"text": "', b"a" * 80, b"a" * 80, b'"}}']
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
        head = (f"POST /_mock/rules HTTP/1.1\r\nHost: 127.0.0.1:{small.port}\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
        response = send_raw(small, head + body)  # no content-length: read until past the cap
        assert_envelope(response, 413, "request_too_large")
        fits = request_bytes("POST", "/_mock/rules", {"content-type": "application/json"},
                             b'{"respond": {"text": "a"}}')
        assert send_raw(small, fits).status == 201


def test_a_bug_behind_the_guard_still_answers_in_the_envelope():
    import asyncio

    from mockserver.http.guard import ControlGuard
    from mockserver.http.request_ids import RequestIds

    async def broken(scope, receive, send):
        raise RuntimeError("a bug")

    sent = []

    async def send(message):
        sent.append(message)

    guard = ControlGuard(broken, token=None, host="127.0.0.1", ids=RequestIds(0, "test"))
    scope = {"type": "http", "method": "GET", "path": "/_mock/anything", "client": ("127.0.0.1", 1),
             "headers": [(b"host", b"localhost")]}
    asyncio.run(guard(scope, None, send))
    assert sent[0]["status"] == 500
    body = json.loads(sent[1]["body"])
    request_id = dict(sent[0]["headers"])[b"request-id"].decode()
    assert body["error"]["type"] == "api_error" and body["request_id"] == request_id


def test_token_free_paths_skip_only_the_token():
    from mockserver.http.errors import ApiError
    from mockserver.http.guard import ControlGuard
    from mockserver.http.request_ids import RequestIds

    guard = ControlGuard(None, token="t", host="127.0.0.1", ids=RequestIds(0, "test"),  # type: ignore[arg-type]
                         token_free_paths=frozenset({"/_mock/ui"}))

    def scope(path, **headers):
        return {"type": "http", "method": "GET", "path": path, "client": ("10.0.0.2", 1),
                "headers": [(b"host", b"mock:4010"), *((k.encode(), v.encode()) for k, v in headers.items())]}

    guard.check(scope("/_mock/ui"))  # a page asset: no token needed, from any host
    with pytest.raises(ApiError) as refused:
        guard.check(scope("/_mock/journal"))
    assert refused.value.status == 401
    with pytest.raises(ApiError) as foreign:
        guard.check(scope("/_mock/ui", origin="https://evil.example"))
    assert foreign.value.status == 403
