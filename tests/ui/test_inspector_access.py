"""Who may use the inspector, in a real browser: a page from another origin cannot read or change
the mock through the page's endpoints, and with --control-token the page takes the token once."""

from __future__ import annotations

import http.server
import threading
from typing import Any, Iterator

import anthropic
import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import KEY, MODEL
from .browser import rows, wait_for

TOKEN = "inspector-s3cret"
HELLO = [{"role": "user", "content": "Hello there"}]
_FOREIGN_PAGE = b"<!doctype html><title>another site</title><p>another site</p>"

# Runs in the foreign page: each attempt reports what the browser let it see.
_ATTACKS = """
const [target, done] = arguments;
const rule = JSON.stringify({id: "planted", match: {}, respond: {text: "planted"}});
const attempt = async (path, init) => {
  try { const r = await fetch(target + path, init); return r.type === "opaque" ? "sent" : await r.text(); }
  catch (error) { return "refused"; }
};
Promise.all([
  attempt("/_mock/journal", {}),
  attempt("/_mock/rules", {method: "POST", headers: {"content-type": "application/json"}, body: rule}),
  attempt("/_mock/rules", {method: "POST", mode: "no-cors", headers: {"content-type": "text/plain"}, body: rule}),
  attempt("/_mock/reset", {method: "POST", mode: "no-cors"}),
  attempt("/_mock/state", {}),
]).then(done);
"""


class _ForeignSite(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(_FOREIGN_PAGE)))
        self.end_headers()
        self.wfile.write(_FOREIGN_PAGE)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def foreign_site() -> Iterator[str]:
    """Another origin on loopback: a page that is not the mock's."""
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ForeignSite)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site.server_address[1]}"
    site.shutdown()
    site.server_close()


def test_a_page_from_another_origin_cannot_use_the_inspectors_endpoints(browser: webdriver.Chrome, foreign_site):
    with MockServer(Config(seed=5)) as server:
        client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
        httpx.get(server.base_url + "/_mock/journal")
        client.messages.create(model=MODEL, max_tokens=16, messages=HELLO)
        browser.get(foreign_site + "/")
        browser.set_script_timeout(30)
        outcomes = browser.execute_async_script(_ATTACKS, server.base_url)
        assert outcomes == ["refused", "refused", "sent", "sent", "refused"]
        assert httpx.get(server.base_url + "/_mock/rules").json()["rules"] == []  # the blind POST changed nothing
        assert len(httpx.get(server.base_url + "/_mock/journal").json()["requests"]) == 1  # nor did the reset
        answer = client.messages.create(model=MODEL, max_tokens=16, messages=HELLO)
        assert answer.content[0].text != "planted"


def test_with_a_control_token_the_page_takes_it_once_and_keeps_it(browser: webdriver.Chrome):
    with MockServer(Config(seed=5, control_token=TOKEN)) as server:
        browser.get(server.base_url + "/_mock/ui")
        browser.execute_script("sessionStorage.clear()")
        browser.get(server.base_url + "/_mock/ui")
        wait_for(browser, lambda: browser.find_element(By.ID, "token-form").is_displayed(), "the page asks for a token")
        browser.get(f"{server.base_url}/_mock/ui?token={TOKEN}")
        wait_for(browser, lambda: browser.find_element(By.ID, "status").text == "live", "the page goes live")
        assert "token" not in browser.current_url  # not left in the address bar or history
        assert browser.execute_script("return sessionStorage.getItem('mock-control-token')") == TOKEN
        anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0).messages.create(
            model=MODEL, max_tokens=16, messages=HELLO)
        wait_for(browser, lambda: rows(browser, "#entries tbody tr"), "the request listed")
        browser.refresh()  # the token survives a reload in this tab
        wait_for(browser, lambda: rows(browser, "#entries tbody tr"), "the request listed after a reload")
        assert not browser.find_element(By.ID, "token-form").is_displayed()


def test_with_a_control_token_the_page_accepts_it_typed_in(browser: webdriver.Chrome):
    with MockServer(Config(seed=5, control_token=TOKEN)) as server:
        browser.get(server.base_url + "/_mock/ui")
        browser.execute_script("sessionStorage.clear()")
        browser.refresh()
        wait_for(browser, lambda: browser.find_element(By.ID, "token-form").is_displayed(), "the page asks for a token")
        browser.find_element(By.ID, "token-input").send_keys("wrong-token\n")
        wait_for(browser, lambda: browser.find_element(By.ID, "status").text == "offline", "a wrong token is refused")
        assert browser.find_element(By.ID, "token-form").is_displayed()
        browser.find_element(By.ID, "token-input").send_keys(TOKEN + "\n")
        wait_for(browser, lambda: browser.find_element(By.ID, "status").text == "live", "the page goes live")
