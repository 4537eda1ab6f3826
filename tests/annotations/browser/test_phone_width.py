"""Every page at a phone's width (390 px): nothing wider than the screen, the
whole navigation reachable, and a skip link first in the tab order."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from annotations.roles import Role
from tests.factories import DocumentFactory, ParagraphFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.viewports("phone")]

PAGES = [
    "/",
    "/search/?q=trust",
    "/documents/",
    "/documents/doc/",
    "/documents/doc/?curate=1",
    "/documents/upload/",
    "/codebook/",
    "/activity/",
    "/agreement/",
    "/export/",
    "/import/",
]


def test_pages_fit_a_phone_and_start_with_a_skip_link(page_as: Any, live_server: Any):
    document = DocumentFactory(slug="doc", title="Trust across a long border " * 3)
    for position in range(3):
        ParagraphFactory(
            document=document,
            position=position,
            text="Trust between the agencies of the three countries was scarce. " * 4,
        )
    page = page_as(UserFactory(role=Role.ADMIN))
    for url in PAGES:
        page.goto(f"{live_server.url}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
        for link in page.locator(".site-header nav a").all():
            box = link.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390, (url, box)
        if page.locator("[autofocus]").count():
            continue  # the search box has the focus on arrival, not the page top
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link", url
        expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
