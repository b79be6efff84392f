"""Fixtures for the inspector page: one headless Chromium per test module and a mock on a real socket."""

from __future__ import annotations

from typing import Iterator

import pytest
from selenium import webdriver

from .browser import start_browser


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    running = start_browser()
    try:
        yield running
    finally:
        running.quit()
