"""Headless Chromium for the review page's tests and benchmark: Debian's ``chromium``, driven by Playwright.

Playwright's own browser download cannot be used here, so the browser is the machine's (``.ci/run`` installs
Debian's ``chromium`` where it is missing), launched with a fresh profile and with everything that would make
it talk to the network on its own switched off.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = os.environ.get("IMGROUP_CHROMIUM", "/usr/bin/chromium")
ARGS = (
    "--no-sandbox",  # the tests may run as root, where Chromium's sandbox refuses to start
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
)


class BrowserMissing(RuntimeError):
    """Chromium is not on this machine, or would not start."""


def launch(playwright: Playwright) -> Browser:
    """Start headless Chromium (Playwright gives each launch a fresh, temporary profile); BrowserMissing if not."""
    from playwright.sync_api import Error

    if not os.path.exists(CHROMIUM):
        raise BrowserMissing(
            f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium), "
            "or name another with IMGROUP_CHROMIUM"
        )
    try:
        return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(ARGS))
    except Error as error:
        raise BrowserMissing(f"Chromium at {CHROMIUM} did not start: {error.message.splitlines()[0]}") from None
