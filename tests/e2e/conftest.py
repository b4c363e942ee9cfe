from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from service.app import create_app
from service.container import Services
from service.library.demo import load_demo
from tests.conftest import require
from tests.integration.servers import free_port

CHROMIUM = "/usr/bin/chromium"
OWNER, PASSWORD = "tester", "a-long-test-password-123"
# The live server of the running test, for pages that must log in first (the UI is behind the
# login now); unset between tests.
LIVE: dict[str, str] = {}


@pytest.fixture
def services(services_e5: Services) -> Services:
    """A person searches the library by meaning in these tests: the real embedding model, not
    the unit tests' bag of words (whose ties rank arbitrarily)."""
    return services_e5


@pytest.fixture
def live_url(services: Services) -> Iterator[str]:
    from service.auth.bootstrap import create_owner

    load_demo(services.db, services.vectors)
    create_owner(services.db, OWNER, PASSWORD)  # owns the demo workspace
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(services=services), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    LIVE["url"] = f"http://127.0.0.1:{port}"
    yield LIVE["url"]
    LIVE.clear()
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    require(
        shutil.which("chromium") is not None,
        "Debian's chromium is not installed (.ci/run installs it)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield _LoggedIn(b)
        b.close()


class _LoggedIn:
    """The browser, whose new pages on the live server start logged in as the test's owner
    (the login page itself is tested in test_auth_browser.py)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)

    def new_page(self, **options: Any) -> Any:
        if "url" not in LIVE:
            return self._browser.new_page(**options)
        context = self._browser.new_context(**options)
        page = context.new_page()
        r = page.request.post(f"{LIVE['url']}/v1/login", data={"user": OWNER, "password": PASSWORD})
        assert r.ok, r.text()
        return page
