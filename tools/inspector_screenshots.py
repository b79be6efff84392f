"""Take the README's screenshots of the inspector (docs/inspector-*.png) in headless Chromium.

    .venv/bin/python tools/inspector_screenshots.py

Starts a mock, sends a little traffic through the SDK (a reply, a stream, an error, a scripted
rule, a batch, a file) and photographs the journal, rules and state views at 1280x800 and the
journal at a phone's width.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anthropic
import httpx
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver.config import Config  # noqa: E402
from mockserver.server import MockServer  # noqa: E402
from tests.ui.browser import DESKTOP, PHONE, click_row, set_viewport, start_browser, wait_for  # noqa: E402

MODEL = "claude-sonnet-4-6"
HELLO = [{"role": "user", "content": "Write a haiku about mock servers."}]
SKILL_MD = b"---\nname: greeter\ndescription: Says hello politely.\n---\n\n# Greeter\nSay hello.\n"


def traffic(server: MockServer) -> None:
    httpx.post(server.base_url + "/_mock/rules", json=[
        {"id": "weather-tool", "session": "checkout-tests", "match": {"operation": "messages_create",
                                                                      "last_user_text": "weather"},
         "respond": {"tool_use": {"name": "get_weather", "input": {"city": "Lisbon"}}}},
        {"id": "flaky-overload", "match": {"model": "claude-haiku-4-5"}, "sequence": [
            {"error": "overloaded_error"}, {"text": "Recovered on the second try."}]},
        {"id": "slow-stream", "match": {"stream": True},
         "respond": {"pacing": {"first_event": "180ms", "between_events": "12ms"}}},
    ])
    client = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-api03-demo-key", max_retries=0)
    session = client.with_options(default_headers={"x-mock-session": "checkout-tests"})
    client.messages.create(model=MODEL, max_tokens=64, messages=HELLO)
    session.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "weather in Lisbon?"}])
    try:
        client.messages.create(model="claude-haiku-4-5", max_tokens=32, messages=HELLO)
    except anthropic.APIStatusError:
        pass
    client.messages.create(model="claude-haiku-4-5", max_tokens=32, messages=HELLO)
    client.messages.count_tokens(model=MODEL, messages=HELLO)
    client.messages.batches.create(requests=[
        {"custom_id": f"row-{n}", "params": {"model": MODEL, "max_tokens": 32, "messages": HELLO}} for n in range(3)])
    client.files.upload(file=("quarterly-report.pdf", b"%PDF-1.4 demo", "application/pdf"))
    client.skills.create(files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")], display_name="Greeter")
    with client.messages.stream(model=MODEL, max_tokens=48, messages=HELLO) as stream:
        stream.get_final_text()


def main() -> None:
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    with MockServer(Config(seed=42, batch_seconds=600, rate_limits=("requests=60,input_tokens=40000",))) as server:
        browser = start_browser()
        try:
            browser.get(server.base_url + "/_mock/ui")
            wait_for(browser, lambda: browser.find_element(By.ID, "status").text == "live", "the page goes live")
            traffic(server)
            click_row(browser, "#entries tbody tr", "stream")
            time.sleep(0.5)
            browser.save_screenshot(str(docs / "inspector-journal.png"))
            for view in ("rules", "state"):
                browser.find_element(By.ID, f"tab-{view}").click()
                time.sleep(1.0)
                browser.save_screenshot(str(docs / f"inspector-{view}.png"))
            browser.find_element(By.ID, "tab-journal").click()
            set_viewport(browser, *PHONE)
            time.sleep(0.5)
            browser.save_screenshot(str(docs / "inspector-phone.png"))
            set_viewport(browser, *DESKTOP)
        finally:
            browser.quit()


if __name__ == "__main__":
    main()
