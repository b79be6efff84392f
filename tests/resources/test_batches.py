"""Message Batches: validation, the clock-driven lifecycle, results, cancel, delete, listing."""

from __future__ import annotations

import time

import orjson
import pytest

from mockserver.resources.batches import fate

from ..helpers import MODEL, assert_api_error


def request(custom_id: str, **params):
    return {"custom_id": custom_id, "params": {"model": MODEL, "max_tokens": 16,
                                               "messages": [{"role": "user", "content": "Hi"}], **params}}


def create(client, headers, *requests):
    response = client.post("/v1/messages/batches", json={"requests": list(requests)}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def wait_until_ended(client, headers, batch_id, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        batch = client.get(f"/v1/messages/batches/{batch_id}", headers=headers).json()
        if batch["processing_status"] == "ended" or time.monotonic() > deadline:
            return batch
        time.sleep(0.02)


def test_batch_ends_at_once_with_exact_counts_and_results_in_order(client, api_headers):
    batch = create(client, api_headers, request("first"), request("bad-model", model="claude-nope-9"),
                   request("third"))
    assert batch["id"].startswith("msgbatch_")
    assert batch["processing_status"] == "ended"
    assert batch["request_counts"] == {"processing": 0, "succeeded": 2, "errored": 1, "canceled": 0, "expired": 0}
    assert batch["results_url"] == f"http://mock.test/v1/messages/batches/{batch['id']}/results"
    assert batch["ended_at"] is not None and batch["cancel_initiated_at"] is None and batch["archived_at"] is None

    response = client.get(batch["results_url"], headers=api_headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-jsonl"
    assert response.text.endswith("\n") and "\n\n" not in response.text
    lines = [orjson.loads(line) for line in response.text.splitlines()]
    assert [line["custom_id"] for line in lines] == ["first", "bad-model", "third"]
    first, bad, _ = (line["result"] for line in lines)
    assert first["type"] == "succeeded"
    assert first["message"]["type"] == "message" and first["message"]["usage"]["service_tier"] == "batch"
    assert bad["type"] == "errored"
    assert bad["error"]["type"] == "error"
    assert bad["error"]["error"] == {"type": "not_found_error", "message": "model: claude-nope-9"}


def test_results_are_stable_across_reads(client, api_headers):
    batch = create(client, api_headers, request("a"), request("b"))
    url = f"/v1/messages/batches/{batch['id']}/results"
    assert client.get(url, headers=api_headers).content == client.get(url, headers=api_headers).content


def test_in_progress_batch_refuses_results_and_delete_then_ends(make_client, api_headers):
    client = make_client(batch_seconds=0.5)
    batch = create(client, api_headers, request("a"), request("b"))
    assert batch["processing_status"] == "in_progress"
    assert batch["request_counts"] == {"processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
    assert batch["results_url"] is None and batch["ended_at"] is None
    assert batch["expires_at"] > batch["created_at"]

    assert_api_error(client.get(f"/v1/messages/batches/{batch['id']}/results", headers=api_headers),
                     400, "invalid_request_error")
    assert_api_error(client.delete(f"/v1/messages/batches/{batch['id']}", headers=api_headers),
                     400, "invalid_request_error")

    ended = wait_until_ended(client, api_headers, batch["id"])
    assert ended["processing_status"] == "ended"
    assert ended["request_counts"]["succeeded"] == 2
    deleted = client.delete(f"/v1/messages/batches/{batch['id']}", headers=api_headers)
    assert deleted.json() == {"id": batch["id"], "type": "message_batch_deleted"}
    assert_api_error(client.get(f"/v1/messages/batches/{batch['id']}", headers=api_headers), 404, "not_found_error")


def test_cancel_goes_through_canceling_to_ended_with_canceled_requests(make_client, api_headers):
    client = make_client(batch_seconds=2)
    batch = create(client, api_headers, request("a"), request("b"), request("c"))
    canceled = client.post(f"/v1/messages/batches/{batch['id']}/cancel", headers=api_headers).json()
    assert canceled["processing_status"] == "canceling"
    assert canceled["cancel_initiated_at"] is not None
    assert canceled["request_counts"]["processing"] == 3

    ended = wait_until_ended(client, api_headers, batch["id"])
    assert ended["processing_status"] == "ended"
    assert ended["request_counts"] == {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 3, "expired": 0}
    lines = client.get(ended["results_url"], headers=api_headers).text.splitlines()
    assert [orjson.loads(line)["result"] for line in lines] == [{"type": "canceled"}] * 3
    assert client.delete(f"/v1/messages/batches/{batch['id']}", headers=api_headers).status_code == 200


def test_cancel_of_an_ended_batch_changes_nothing(client, api_headers):
    batch = create(client, api_headers, request("a"))
    again = client.post(f"/v1/messages/batches/{batch['id']}/cancel", headers=api_headers).json()
    assert again["processing_status"] == "ended" and again["cancel_initiated_at"] is None


def test_requests_run_evenly_and_unfinished_ones_expire_or_cancel():
    base = {"created_at": 0.0, "planned_end": 4.0, "expires_at": 2.0, "request_count": 4,
            "cancel_initiated_at": None}
    assert [fate(base, i) for i in range(4)] == [None, None, "expired", "expired"]
    canceled = {**base, "expires_at": 100.0, "cancel_initiated_at": 1.5}
    assert [fate(canceled, i) for i in range(4)] == [None, "canceled", "canceled", "canceled"]


def test_duplicate_custom_id_is_rejected(client, api_headers):
    response = client.post("/v1/messages/batches", json={"requests": [request("x"), request("x")]},
                           headers=api_headers)
    body = assert_api_error(response, 400, "invalid_request_error")
    assert body["error"]["message"].startswith("requests.1.custom_id: Duplicate custom_id `x`")


@pytest.mark.parametrize("params, where", [
    ({"max_tokens": None}, "requests.1.params.max_tokens"),
    ({"max_tokens": "lots"}, "requests.1.params.max_tokens"),
    ({"messages": [{"role": "robot", "content": "Hi"}]}, "requests.1.params.messages.0.role"),
    ({"stream": True}, "requests.1.params.stream"),
])
def test_each_request_is_validated_like_a_messages_request(client, api_headers, params, where):
    bad = request("bad", **params)
    bad["params"] = {k: v for k, v in bad["params"].items() if v is not None}
    response = client.post("/v1/messages/batches", json={"requests": [request("ok"), bad]}, headers=api_headers)
    body = assert_api_error(response, 400, "invalid_request_error")
    assert body["error"]["message"].startswith(where), body["error"]["message"]


def test_list_is_newest_first_and_pages_both_ways(client, api_headers):
    ids = [create(client, api_headers, request("a"))["id"] for _ in range(5)][::-1]
    seen, after = [], None
    while True:
        params = {"limit": 2, **({"after_id": after} if after else {})}
        page = client.get("/v1/messages/batches", params=params, headers=api_headers).json()
        seen += [batch["id"] for batch in page["data"]]
        assert page["first_id"] == page["data"][0]["id"] and page["last_id"] == page["data"][-1]["id"]
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert seen == ids
    back = client.get("/v1/messages/batches", params={"limit": 2, "before_id": ids[3]}, headers=api_headers).json()
    assert [batch["id"] for batch in back["data"]] == ids[1:3] and back["has_more"] is True


def test_unknown_batch_ids_are_404_everywhere(client, api_headers):
    missing = "msgbatch_011CNotThere0000000000"
    for method, path in (("GET", ""), ("GET", "/results"), ("POST", "/cancel"), ("DELETE", "")):
        response = client.request(method, f"/v1/messages/batches/{missing}{path}", headers=api_headers)
        assert_api_error(response, 404, "not_found_error")
