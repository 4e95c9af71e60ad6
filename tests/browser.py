"""A real headless browser for the HTML tests: Debian's chromium, driven by Playwright.

Playwright never downloads a browser here: it launches the system chromium through `executable_path`.
Without chromium the browser tests skip, unless KGTOOL_REQUIRE_BROWSER=1 (CI sets it), where they fail.
tests/conftest.py registers the fixtures once, so a test worker shares one Playwright and one browser
(a second sync Playwright cannot start while the first runs), and puts the browser tests on one worker.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KGTOOL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# The flags keep chromium from calling home: on a closed network its own background requests fail noisily.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

ARTIFACTS = Path(__file__).resolve().parent / "output"


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM}"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("KGTOOL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required (KGTOOL_REQUIRE_BROWSER=1) but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page with what it printed to the console and every request it made."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watched = Watched(context.new_page())
    watched.page.on("console", lambda m: m.type == "error" and watched.console_errors.append(m.text))
    watched.page.on("pageerror", lambda e: watched.console_errors.append(str(e)))
    watched.page.on("request", lambda r: watched.requests.append(r.url))
    yield watched
    context.close()
