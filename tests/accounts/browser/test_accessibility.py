"""The account pages through axe-core at both viewports (as every other page
is in tests/annotations/browser/test_accessibility.py): no serious or
critical violation, including the one-time key and link, the welcome pages
and the lockout page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from accounts.roles import Role
from tests.annotations.browser.test_accessibility import (  # noqa: F401
    axe,
    look,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def checker(viewport: dict[str, int]) -> Any:
    """``check(page, name)``: axe on the page once it is idle (and a
    screenshot with ``GLOSS_SCREENSHOT_DIR``, as for every other page)."""

    def check(page: Page, name: str) -> list[str]:
        page.wait_for_load_state("networkidle")
        return look(page, f"account-{name}", viewport)

    return check


@pytest.mark.usefixtures("axe")
def test_the_account_pages_have_no_serious_accessibility_violation(
    page_as: Any, browser: Browser, live_server: Any, viewport: dict[str, int]
) -> None:
    found: list[str] = []
    check = checker(viewport)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    UserFactory(username="vera", role=Role.VIEWER)
    page = page_as(root, bypass_csp=True)
    for name, address in [
        ("settings", "/accounts/settings/"),
        ("team", "/accounts/team/"),
        ("projects", "/accounts/projects/"),
    ]:
        page.goto(live_server.url + address)
        found += check(page, name)
    page.goto(f"{live_server.url}/accounts/settings/")
    page.click("text=Make a new token")
    found += check(page, "settings-new-token")
    page.goto(f"{live_server.url}/accounts/team/")
    page.fill("#id_username", "nadia")
    page.click("text=Create the account")
    found += check(page, "team-invite")
    link = page.locator("#invite-link").inner_text().strip()
    page.fill("#id_who", "nobody-here")
    page.click("text=Add to the project")
    found += check(page, "team-error")

    stranger = browser.new_context(viewport=viewport, bypass_csp=True).new_page()
    stranger.goto(link)
    found += check(stranger, "welcome")
    stranger.goto(link.replace("/welcome/", "/welcome/x"))
    found += check(stranger, "welcome-invalid")
    stranger.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):
        stranger.fill("#id_username", "vera")
        stranger.fill("#id_password", "wrong")
        stranger.click("button[type=submit]")
    assert "Too many attempts" in stranger.content()
    found += check(stranger, "lockout")
    stranger.context.close()
    assert found == [], "\n".join(found)
