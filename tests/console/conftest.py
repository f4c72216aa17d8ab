"""The console in a real browser: the app served by uvicorn on a free port (in a thread of
the test process, against the real Neo4j, Redis and worker), driven by Playwright through
Debian's Chromium (`make deps` installs it; no browser is downloaded).

Screenshots of the pages are written to the folder named by TIERGRAPH_CONSOLE_SCREENSHOTS
(docs/console for the committed ones), and to nowhere when it is unset.
"""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("TIERGRAPH_CHROMIUM", "/usr/bin/chromium")
STARTUP_SECONDS = 60.0


@pytest.fixture(scope="session")
def console_url(services: None) -> Iterator[str]:
    """The base address of a live API process serving the console."""
    import uvicorn

    from api.main import app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="console-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API did not start for the console tests")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian (`make deps` installs the `chromium` package)."""
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make deps` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


class Console:
    """One browser tab on the console, with what the page logged."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        page.on("pageerror", lambda e: self.problems.append(str(e)))

    def open(self, hash_part: str = "") -> None:
        self.page.goto(f"{self.base}/console{hash_part}")

    def sign_in(self, key: str) -> None:
        self.open()
        self.page.fill("#key", key)
        self.page.click("#signin button[type=submit]")
        self.page.wait_for_selector("#nav a")

    def go(self, hash_part: str) -> None:
        self.page.evaluate("h => { location.hash = h; }", hash_part)

    def shot(self, name: str) -> None:
        folder = os.environ.get("TIERGRAPH_CONSOLE_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def console(browser: Any, console_url: str) -> Iterator[Console]:
    """A fresh tab (its own sessionStorage); the test fails on any script error or any
    request the page's Content-Security-Policy refused."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    tab = Console(context.new_page(), console_url)
    yield tab
    context.close()
    # A 4xx the page asked for on purpose is logged by Chromium as "Failed to load resource".
    unexpected = [p for p in tab.problems if "Failed to load resource" not in p]
    assert unexpected == []
