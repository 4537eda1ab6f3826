"""Browser tests: Debian's headless chromium driven by Playwright, against
pytest-django's live server (a real HTTP server on a thread, transactional DB).

Never `playwright install` (it downloads a browser build): the browser is
Debian's `chromium`, which `make install` installs as root when missing.
Without it the tests skip with a reason, except under CI=true, where a missing
browser is a failure rather than a silent skip.

Every test that signs in through ``page_as`` runs twice: at a desktop viewport
and at a phone's (390x844, an iPhone 12-14's CSS pixels), so a control that a
phone's layout hides or pushes off-screen fails the same test that checks it on
a desktop. ``@pytest.mark.viewports("phone")`` limits a test to the ones named.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.factories import PASSWORD

# Generous waits: CI machines are small and may be busy; a wait ends as soon as
# its condition holds, so a long limit costs nothing when things go well.
WAIT_MS = 20_000
expect.set_options(timeout=WAIT_MS)

VIEWPORTS = {
    "desktop": {"width": 1200, "height": 900},
    "phone": {"width": 390, "height": 844},
}

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "viewports(*names): run a browser test only at these viewports"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each browser test once per viewport (all, or those its marker names)."""
    if "viewport" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("viewports")
    names = list(marker.args) if marker else list(VIEWPORTS)
    metafunc.parametrize("viewport", [VIEWPORTS[n] for n in names], ids=names)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        reason = "Debian's chromium is not installed (`make install` as root adds it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio loop on this thread between calls,
    # which makes Django refuse ORM calls here ("async context"). The loop is
    # Playwright's own; the ORM is never used from a coroutine. Scoped to this
    # module, so other tests keep Django's guard.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS
            )
            yield launched
            launched.close()


@pytest.fixture
def page_as(
    browser: Browser, live_server: Any, viewport: dict[str, int]
) -> Iterator[Callable[..., Page]]:
    """``page_as(user)`` -> a fresh browser page signed in as ``user``, at the
    test's viewport; keyword arguments go to Playwright's ``new_context``.

    Every test using it also fails if the browser refused anything under the
    Content-Security-Policy (an inline script or style, a foreign source)."""
    contexts = []
    refused: list[str] = []

    def sign_in(user: Any, **context_options: Any) -> Page:
        context = browser.new_context(viewport=viewport, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors  # type: ignore[attr-defined]
        page.on(
            "console",
            lambda message: (
                refused.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()
    assert refused == [], refused


def tab_to(page: Page, target: Any, presses: int = 80) -> None:
    """Press Tab until ``target`` (a locator) has the focus, as a keyboard
    user would; fail if it never does."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} never got the focus in {presses} presses of Tab")
