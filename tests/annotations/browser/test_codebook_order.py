"""Reordering the codebook by keyboard in a real browser: Tab to a theme's
Up button, press Enter, and the theme has moved while the focus stays on the
button, so pressing Enter again moves it again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from annotations.models import Theme
from tests.annotations.browser.conftest import tab_to
from tests.factories import ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def top_level(page) -> list[str]:
    return page.locator("table.codebook tr.depth-0").evaluate_all(
        "rows => rows.map(row => row.id.replace('theme-', ''))"
    )


def test_up_by_keyboard_keeps_the_focus(page_as: Any, live_server: Any):
    Theme.objects.all().delete()  # the seeded codebook: three themes of our own
    for slug in ("alpha", "beta", "gamma"):
        ThemeFactory(slug=slug, name=slug.capitalize())
    page = page_as(UserFactory(role=Role.CURATOR))
    page.goto(f"{live_server.url}/codebook/")
    assert top_level(page) == ["alpha", "beta", "gamma"]
    tab_to(page, page.locator("#reorder-gamma-up"))
    with page.expect_navigation(url="**/codebook/?moved=gamma&direction=up"):
        page.keyboard.press("Enter")
    assert top_level(page) == ["alpha", "gamma", "beta"]
    expect(page.locator("#reorder-gamma-up")).to_be_focused()
    with page.expect_navigation(url="**/codebook/?moved=gamma&direction=up"):
        page.keyboard.press("Enter")
    assert top_level(page) == ["gamma", "alpha", "beta"]
    # now first: Up is disabled and the focus is on Down
    expect(page.locator("#reorder-gamma-up")).to_be_disabled()
    expect(page.locator("#reorder-gamma-down")).to_be_focused()
    assert page.js_errors == []
