"""A project admin brings a new member in, end to end: the team page makes
the account and shows its one-time link; the new member opens it in a
browser of their own, chooses a password, is signed in and reads the
project; later they sign in with that password. At both viewports, the
account pages fit and their header links work by keyboard."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.roles import Role
from tests.annotations.browser.conftest import WAIT_MS, tab_to
from tests.factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-long-fresh-passphrase"
# Set to a folder to keep screenshots of the team page (team_<viewport>.png).
SCREENSHOTS = os.environ.get("GLOSS_SCREENSHOT_DIR")


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for link in page.locator(".site-header .account a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, box


def test_an_admin_invites_a_member_who_then_signs_in(
    page_as: Any, browser: Browser, live_server: Any, viewport: dict[str, int]
):
    DocumentFactory(slug="arctic", title="Arctic sovereignty notes")
    admin = page_as(UserFactory(username="adam", role=Role.ADMIN))
    admin.click(".site-header .account >> text=Team")
    expect(admin.locator("h1")).to_contain_text("Team of")
    fits(admin, viewport["width"])
    admin.fill("#id_username", "nadia")
    admin.fill("#id_name", "Nadia Ali")
    admin.select_option("#id_role", "2")  # Annotator
    admin.click("text=Create the account")
    expect(admin.locator(".one-time")).to_contain_text("nadia has an account now")
    expect(admin.locator(".members")).to_contain_text("nadia")
    fits(admin, viewport["width"])
    if SCREENSHOTS:
        name = "phone" if viewport["width"] < 600 else "desktop"
        admin.screenshot(
            path=str(Path(SCREENSHOTS) / f"team_{name}.png"), full_page=True
        )
    link = admin.locator("#invite-link").inner_text().strip()

    context = browser.new_context(viewport=viewport)  # the new member's own browser
    try:
        newcomer = context.new_page()
        newcomer.set_default_timeout(WAIT_MS)
        newcomer.goto(link)
        expect(newcomer.locator("h1")).to_have_text("Welcome to Gloss")
        newcomer.fill("#id_new_password1", NEW_PASSWORD)
        newcomer.fill("#id_new_password2", NEW_PASSWORD)
        newcomer.click("text=Set the password and sign in")
        newcomer.wait_for_url(f"{live_server.url}/")
        expect(newcomer.locator(".messages")).to_contain_text("Welcome, Nadia Ali.")
        expect(newcomer.locator(".role-badge")).to_have_text("Annotator")
        newcomer.click(".site-header nav >> text=Documents")
        expect(newcomer.locator("main")).to_contain_text("Arctic sovereignty notes")

        newcomer.click("text=Sign out")
        newcomer.goto(link)  # used: refused, with a way on
        expect(newcomer.locator("h1")).to_have_text("This link does not work")
        newcomer.click("main >> text=sign in")
        newcomer.fill("#id_username", "nadia")
        newcomer.fill("#id_password", NEW_PASSWORD)
        newcomer.click("button[type=submit]")
        newcomer.wait_for_url(f"{live_server.url}/")
        expect(newcomer.locator(".site-header .who")).to_contain_text("Nadia Ali")
    finally:
        context.close()

    # Removing takes a second, deliberate step.
    admin.goto(f"{live_server.url}/accounts/team/")
    row = admin.locator(".members tr", has_text="nadia")
    confirm = row.locator("text=Remove nadia from the project")
    expect(confirm).to_be_hidden()
    row.locator("summary").click()
    confirm.click()
    expect(admin.locator(".messages")).to_contain_text("nadia is no longer in")
    expect(admin.locator(".members")).not_to_contain_text("nadia")


def test_the_account_links_work_by_keyboard(
    page_as: Any, live_server: Any, viewport: dict[str, int]
):
    page = page_as(UserFactory(username="adam", role=Role.ADMIN))
    fits(page, viewport["width"])
    settings_link = page.locator(".site-header .account >> text=Settings")
    tab_to(page, settings_link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/accounts/settings/")
    fits(page, viewport["width"])
    team_link = page.locator(".site-header .account >> text=Team")
    tab_to(page, team_link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/accounts/team/")
    expect(page.locator("h1")).to_contain_text("Team of")
