"""The inspector page in a real headless Chromium: live journal, filters, stream timeline, entry
actions (copy as curl / Python, make a rule), rules and scenarios, served state, and its layout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any, Iterator

import anthropic
import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import KEY, MODEL
from .browser import DESKTOP, PHONE, click_row, rows, set_viewport, visible_texts, wait_for

HELLO = [{"role": "user", "content": "Hello there"}]
SKILL_MD = b"---\nname: greeter\ndescription: Says hello politely.\n---\n\n# Greeter\nSay hello.\n"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(Config(seed=3, batch_seconds=600, rate_limits=("requests=100",))) as running:
        yield running


@pytest.fixture()
def page(server: MockServer, browser: webdriver.Chrome) -> webdriver.Chrome:
    """The inspector, freshly loaded on a reset mock, showing the journal."""
    httpx.post(server.base_url + "/_mock/reset", json={})
    set_viewport(browser, *DESKTOP)
    browser.get(server.base_url + "/_mock/ui")
    wait_for(browser, lambda: browser.find_element(By.ID, "status").text == "live", "the page goes live")
    return browser


def sdk(server: MockServer, session: str | None = None) -> anthropic.Anthropic:
    extra = {"x-mock-session": session} if session else None
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0, default_headers=extra)


def entry_rows(browser: webdriver.Chrome, count: int) -> list[str]:
    wait_for(browser, lambda: len(visible_texts(browser, "#entries tbody tr")) == count, f"{count} journal rows")
    return visible_texts(browser, "#entries tbody tr")


def open_entry(browser: webdriver.Chrome, text: str) -> None:
    click_row(browser, "#entries tbody tr", text)
    wait_for(browser, lambda: browser.find_element(By.ID, "detail").is_displayed(), "the entry's detail")


def copied(browser: webdriver.Chrome, button: str) -> str:
    browser.find_element(By.ID, button).click()
    return wait_for(browser, lambda: browser.find_element(By.ID, "copy-output").get_property("value"), "copied text")


def choose(browser: webdriver.Chrome, select_id: str, value: str) -> None:
    select = browser.find_element(By.ID, select_id)
    wait_for(browser, lambda: value in [o.get_attribute("value") for o in Select(select).options], f"{value} offered")
    Select(select).select_by_value(value)


def show(browser: webdriver.Chrome, view: str) -> None:
    browser.find_element(By.ID, f"tab-{view}").click()
    wait_for(browser, lambda: browser.find_element(By.ID, f"view-{view}").is_displayed(), f"the {view} view")


def add_rules(server: MockServer, *rules: dict[str, Any]) -> None:
    response = httpx.post(server.base_url + "/_mock/rules", json=list(rules))
    assert response.status_code == 201, response.text


# -- the live journal ------------------------------------------------------------------------------

def test_new_requests_appear_without_a_reload(server, page):
    page.execute_script("window.stillTheSamePage = true")
    sdk(server).messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    assert "messages_create" in entry_rows(page, 1)[0]
    sdk(server).messages.count_tokens(model=MODEL, messages=HELLO)
    newest_first = entry_rows(page, 2)
    assert "messages_count_tokens" in newest_first[0] and "messages_create" in newest_first[1]
    assert page.execute_script("return window.stillTheSamePage") is True


def test_filters_by_session_operation_status_rule_and_text(server, page):
    add_rules(server, {"id": "scripted-hello", "session": "alice", "match": {"operation": "messages_create"},
                       "respond": {"text": "scripted"}})
    sdk(server, "alice").messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    sdk(server, "bob").messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "purple elephant"}])
    with pytest.raises(anthropic.NotFoundError):
        sdk(server, "bob").messages.create(model="claude-no-such-model", max_tokens=16, messages=HELLO)
    entry_rows(page, 3)
    choose(page, "filter-session", "bob")
    assert all("bob" in row for row in entry_rows(page, 2))
    choose(page, "filter-session", "")
    choose(page, "filter-status", "error")
    assert "404 not_found_error" in entry_rows(page, 1)[0]
    choose(page, "filter-status", "")
    choose(page, "filter-rule", "scripted-hello")
    assert "alice" in entry_rows(page, 1)[0]
    choose(page, "filter-rule", "")
    choose(page, "filter-operation", "messages_count_tokens")
    assert len(entry_rows(page, 1)) == 1
    choose(page, "filter-operation", "")
    page.find_element(By.ID, "filter-text").send_keys("purple elephant")
    assert "messages_count_tokens" in entry_rows(page, 1)[0]


# -- one entry -------------------------------------------------------------------------------------

def test_an_entry_shows_request_and_response_with_secrets_redacted(server, page):
    reply = sdk(server).messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    open_entry(page, "messages_create")
    for summary in page.find_elements(By.CSS_SELECTOR, "details.headers summary"):
        summary.click()
    headers = dict(zip(visible_texts(page, "#request-headers th"), visible_texts(page, "#request-headers td")))
    secrets = [value for name, value in headers.items() if name in ("x-api-key", "authorization")]
    assert secrets == ["[redacted]"] and headers["anthropic-version"], headers
    assert KEY not in page.find_element(By.ID, "detail").text
    assert f'"model": "{MODEL}"' in page.find_element(By.ID, "request-body").text  # pretty-printed
    response_body = json.loads(page.find_element(By.ID, "response-body").text)
    assert response_body["id"] == reply.id and response_body["content"][0]["text"] == reply.content[0].text


def test_a_streamed_reply_shows_its_events_on_a_timeline(server, page):
    with sdk(server).messages.stream(model=MODEL, max_tokens=32, messages=HELLO) as stream:
        text = stream.get_final_text()
    open_entry(page, "stream")
    wait_for(page, lambda: page.find_element(By.ID, "timeline").is_displayed(), "the event timeline")
    names = visible_texts(page, "#timeline tbody td:nth-child(2)")
    assert names[0] == "message_start" and names[-1] == "message_stop" and "content_block_delta" in names
    offsets = [float(value) for value in visible_texts(page, "#timeline tbody td:nth-child(1)")]
    assert offsets == sorted(offsets) and len(offsets) == len(names)
    deltas = [json.loads(row.find_element(By.CSS_SELECTOR, "code").get_property("textContent"))["delta"]["text"]
              for row in rows(page, "#timeline tbody tr") if "content_block_delta" in row.text]
    assert "".join(deltas) == text


def test_a_failed_stream_highlights_its_error_event(server, page):
    add_rules(server, {"id": "breaks", "match": {"stream": True},
                       "respond": {"fault": {"error_after_events": 3, "error": "overloaded_error"}}})
    with pytest.raises(anthropic.APIStatusError):
        with sdk(server).messages.stream(model=MODEL, max_tokens=32, messages=HELLO) as stream:
            stream.get_final_text()
    open_entry(page, "stream")
    failed = wait_for(page, lambda: rows(page, "#timeline tbody tr.failed"), "a highlighted error event")
    assert "overloaded_error" in failed[0].text
    assert "breaks" in page.find_element(By.ID, "detail-facts").text  # the rule that answered


def test_copy_as_curl_and_as_python_run_against_the_mock(server, page, monkeypatch, capsys):
    sdk(server).messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    open_entry(page, "messages_create")
    assert shutil.which("curl"), "this test runs the copied command: apt-get install -y curl"
    command = copied(page, "copy-curl")
    assert KEY not in command and "$ANTHROPIC_API_KEY" in command
    environment = {**os.environ, "ANTHROPIC_API_KEY": KEY}
    answer = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=environment, timeout=60)
    assert json.loads(answer.stdout)["type"] == "message", answer.stderr
    program = copied(page, "copy-python")
    assert "client.messages.create(" in program and KEY not in program
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    exec(compile(program, "copied-python", "exec"), {})  # in this process: the SDK is imported already
    assert "Message(" in capsys.readouterr().out


def test_make_a_rule_from_a_request_then_it_answers_and_can_be_deleted(server, page):
    sdk(server).messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    open_entry(page, "messages_create")
    page.find_element(By.ID, "make-rule").click()
    editor = wait_for(page, lambda: page.find_element(By.ID, "rule-text"), "the rule editor")
    wait_for(page, editor.is_displayed, "the rule editor is shown")
    rule = json.loads(editor.get_property("value"))
    assert rule["match"] == {"operation": "messages_create", "model": MODEL} and "message" in rule["respond"]
    rule["respond"] = {"text": "Made in the inspector"}
    page.execute_script("arguments[0].value = arguments[1]", editor, json.dumps(rule))
    page.find_element(By.ID, "rule-save").click()
    wait_for(page, lambda: rows(page, f'#rules tr[data-rule="{rule["id"]}"]'), "the saved rule listed")
    answer = sdk(server).messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    assert answer.content[0].text == "Made in the inspector"
    answered = f'#rules tr[data-rule="{rule["id"]}"] td:nth-child(7)'
    wait_for(page, lambda: visible_texts(page, answered) == ["1"], "the rule's counter at 1")
    page.find_element(By.CSS_SELECTOR, f'#rules tr[data-rule="{rule["id"]}"] button.danger').click()
    wait_for(page, lambda: not rows(page, "#rules tbody tr"), "the rule gone from the page")
    assert httpx.get(server.base_url + "/_mock/rules").json()["rules"] == []
    assert sdk(server).messages.create(model=MODEL, max_tokens=16, messages=HELLO).content[0].text != \
        "Made in the inspector"


# -- rules, scenarios and served state ---------------------------------------------------------

def test_rules_in_order_with_scenarios_and_a_session_reset(server, page):
    add_rules(server,
              {"id": "tried-second", "match": {"operation": "models_list"}, "respond": {"status": 200, "body": {}}},
              {"id": "tried-first", "priority": 1, "scenario": "checkout", "state": "Started",
               "next_state": "paid", "match": {"operation": "messages_create"}, "respond": {"text": "paid"}},
              {"id": "carols", "session": "carol", "match": {}, "respond": {"text": "hi carol"}})
    sdk(server).messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    show(page, "rules")
    order = wait_for(page, lambda: _rule_ids(page) if len(_rule_ids(page)) == 3 else None, "three rules")
    assert order == [rule["id"] for rule in httpx.get(server.base_url + "/_mock/rules").json()["rules"]]
    assert order.index("tried-first") < order.index("tried-second")
    wait_for(page, lambda: visible_texts(page, '#rules tr[data-rule="tried-first"] td:nth-child(7)') == ["1"],
             "the scenario rule answered once")
    wait_for(page, lambda: any("checkout" in row and "paid" in row for row in visible_texts(page, "#scenarios tr")),
             "the scenario moved to paid")
    page.find_element(By.ID, "reset-session").send_keys("carol")
    page.find_element(By.CSS_SELECTOR, "#reset-form button").click()
    wait_for(page, lambda: len(rows(page, "#rules tbody tr")) == 2, "carol's rule reset away")
    assert "carols" not in [rule["id"] for rule in httpx.get(server.base_url + "/_mock/rules").json()["rules"]]


def _rule_ids(page) -> list[str]:
    """The rules table's ids in one script (the page may redraw it between two element reads)."""
    return page.execute_script(
        "return [...document.querySelectorAll('#rules tbody tr')].map(r => r.getAttribute('data-rule'))")


def test_state_view_shows_batches_files_skills_and_buckets(server, page):
    client = sdk(server)
    client.messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    batch = client.messages.batches.create(requests=[
        {"custom_id": "one", "params": {"model": MODEL, "max_tokens": 16, "messages": HELLO}}])
    uploaded = client.files.upload(file=("inspector-notes.txt", b"hello", "text/plain"))
    skill = client.skills.create(files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")], display_name="Greeter")
    show(page, "state")
    wait_for(page, lambda: any(batch.id in row and "in_progress" in row for row in visible_texts(page, "#batches tr")),
             "the batch and its status")
    assert any(uploaded.id in row and "inspector-notes.txt" in row for row in visible_texts(page, "#files tr"))
    assert any(skill.id in row for row in visible_texts(page, "#skills tr"))
    buckets = visible_texts(page, "#buckets tbody tr")
    assert any(MODEL in row and "/ 100" in row for row in buckets) and KEY not in " ".join(buckets)
    assert "(enforced)" in page.find_element(By.ID, "limits-mode").text


# -- layout ---------------------------------------------------------------------------------------

def test_usable_at_1280x800_and_readable_at_phone_width(server, page):
    sdk(server).messages.create(model=MODEL, max_tokens=16, messages=HELLO)
    open_entry(page, "messages_create")
    listing = page.find_element(By.CSS_SELECTOR, ".list-wrap").rect
    detail = page.find_element(By.ID, "detail").rect
    assert detail["x"] >= listing["x"] + listing["width"]  # side by side
    assert detail["y"] + 100 < DESKTOP[1]  # the detail starts on the first screen
    set_viewport(page, *PHONE)
    for view in ("journal", "rules", "state"):
        show(page, view)
        assert page.execute_script("return document.documentElement.scrollWidth") <= PHONE[0], view
    show(page, "journal")
    listing = page.find_element(By.CSS_SELECTOR, ".list-wrap").rect
    detail = page.find_element(By.ID, "detail").rect
    assert detail["y"] >= listing["y"] + listing["height"]  # stacked
    font = page.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 12
