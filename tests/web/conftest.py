"""Browser tests: Debian's Chromium driven by Playwright against a real parley-server.

The browser is /usr/bin/chromium, installed by scripts/system-deps.sh (Playwright's own
browser download is never used). Without it every test here fails and says so: a skipped
browser test would look like a passing one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.web.pages import ChatPage
from tests.web.servers import InProcessServer, Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"

NewPage = Callable[..., ChatPage]


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: scripts/system-deps.sh could not install Debian's "
            "chromium package (run it as root with apt-get available); the web tests need it",
            pytrace=False,
        )
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def web_server() -> Iterator[InProcessServer]:
    server = InProcessServer().start()
    yield server
    server.stop()


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[NewPage]:
    """Open the page in a fresh browser context (its own sessionStorage, like a new tab)."""
    opened: list[ChatPage] = []

    def factory(
        server: Server | None = None,
        viewport: dict[str, int] | None = None,
        color_scheme: str = "light",
        init_script: str | None = None,
    ) -> ChatPage:
        context = browser.new_context(
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            color_scheme=color_scheme,  # type: ignore[arg-type]
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        if init_script is not None:
            context.add_init_script(init_script)
        if server is None:
            server = request.getfixturevalue("web_server")
        page = ChatPage(context.new_page(), server.url)
        opened.append(page)
        return page.goto()

    yield factory
    problems = [problem for page in opened for problem in page.errors + page.dialogs]
    for page in opened:
        page.page.context.close()
    assert not problems, f"the page misbehaved: {problems}"


@pytest.fixture
def screenshot_path(tmp_path: Path) -> Callable[[str], Path]:
    """Where a screenshot goes: docs/images/ with PARLEY_SCREENSHOTS=1, else a temporary
    folder (so an ordinary run leaves the working tree as it was)."""

    def path(name: str) -> Path:
        if os.environ.get("PARLEY_SCREENSHOTS") == "1":
            IMAGES.mkdir(parents=True, exist_ok=True)
            return IMAGES / name
        return tmp_path / name

    return path
