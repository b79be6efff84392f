"""Headless Chromium for the inspector's tests, driven by Selenium through the system chromedriver.

The browser is Debian's `chromium` with `chromium-driver` (`./run test` installs them when it runs as
root); Selenium's own driver download is never used. A missing browser fails the tests, with the
command that installs it.
"""

from __future__ import annotations

import os
import shutil
from typing import Any, Callable

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

INSTALL_HINT = ("The inspector's browser tests need Chromium and its driver: "
                "`sudo apt-get install -y chromium chromium-driver` (Debian/Ubuntu), or set CHROMIUM and "
                "CHROMEDRIVER to a Chromium binary and a matching chromedriver.")
WAIT_SECONDS = 15  # generous: the machine is shared; a live entry normally shows within a second
DESKTOP = (1280, 800)
PHONE = (390, 844)


def find_chromium() -> tuple[str, str]:
    binary = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if not binary or not driver:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return binary, driver


def start_browser() -> webdriver.Chrome:
    binary, driver = find_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-extensions", "--no-first-run", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    set_viewport(browser, *DESKTOP)
    return browser


def set_viewport(browser: webdriver.Chrome, width: int, height: int) -> None:
    """The page's viewport exactly (window sizes include the browser's own frame)."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def wait_for(browser: webdriver.Chrome, condition: Callable[[], Any], what: str) -> Any:
    """Poll `condition` until it returns something truthy; fail saying what never happened."""
    waiting = WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.1,
                            ignored_exceptions=(StaleElementReferenceException,))
    return waiting.until(lambda _: condition(), message=what)  # the page redraws its lists as entries arrive


def click_row(browser: webdriver.Chrome, selector: str, text: str) -> None:
    """Click the first row under `selector` that shows `text` (again if the list was redrawn meanwhile)."""
    def click() -> bool:
        row = next((row for row in rows(browser, selector) if text in row.text), None)
        if row is not None:
            row.click()
        return row is not None

    wait_for(browser, click, f"a row with {text!r} in {selector}")


def rows(browser: webdriver.Chrome, selector: str) -> list[WebElement]:
    return browser.find_elements(By.CSS_SELECTOR, selector)


def visible_texts(browser: webdriver.Chrome, selector: str) -> list[str]:
    """The shown text of each match, read in one script (the page may redraw between two reads)."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].filter(e => e.getClientRects().length)"
        ".map(e => e.innerText.trim())", selector)
