"""The review page's tests drive headless Chromium (``bench._browser``): one browser per test module.

``browser`` is the module's browser; ``browser_page`` a fresh page in a fresh context for each test, with
downloads on, its console errors and every request it makes recorded (``RecordedPage``). A machine without
Chromium fails these tests, with what to install: they never skip.

Not one browser per session: Playwright's sync API keeps its event loop running in the main thread while it is
started, so every later test of the process that calls ``asyncio.run`` (an apply, the async clients) would fail.
The browser tests live in one module, so this is still one browser for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs
import pytest

from bench._browser import BrowserMissing, launch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@attrs.frozen
class RecordedPage:
    """A page and what it did: the URL of every request, and every script error or console error."""

    page: Page
    requests: list[str]
    errors: list[str]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            started = launch(playwright)
        except BrowserMissing as error:
            pytest.fail(str(error), pytrace=False)
        yield started
        started.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[RecordedPage]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    recorded = RecordedPage(context.new_page(), [], [])
    recorded.page.on("request", lambda request: recorded.requests.append(request.url))
    recorded.page.on("pageerror", lambda error: recorded.errors.append(str(error)))
    recorded.page.on("console", lambda message: message.type == "error" and recorded.errors.append(message.text))
    yield recorded
    context.close()
