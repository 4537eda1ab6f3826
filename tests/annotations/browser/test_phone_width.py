"""Every page at a phone's width (390 px): nothing wider than the screen (nor a
table cut off inside itself), the whole navigation reachable, controls big
enough to tap, and a skip link first in the tab order."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.viewports("phone")]

# Visible controls shorter than a finger can hit reliably (WCAG 2.5.8 asks for
# 24 px; Gloss gives 40, and 32 to text-like buttons): "tag#id.class height".
SMALL_TARGETS = """
[...document.querySelectorAll(
  'main button, main select, main summary, main input:not([type=hidden])'
  + ':not([type=file]), .site-header button')]
  .filter(e => e.offsetParent !== null)
  .filter(e => {
    const h = e.getBoundingClientRect().height;
    return h < (['checkbox', 'radio'].includes(e.type) ? 20 : 32);
  })
  .map(e => `${e.tagName}#${e.id}.${e.className} ${e.getBoundingClientRect().height}`)
"""
# Tables wider than the page that scroll sideways inside themselves.
CUT_TABLES = """
[...document.querySelectorAll('main table')]
  .filter(t => t.scrollWidth > t.clientWidth + 1).map(t => t.className)
"""

PAGES = [
    "/",
    "/search/?q=trust",
    "/documents/",
    "/documents/doc/",
    "/documents/doc/?curate=1",
    "/documents/doc/edit/",
    "/documents/upload/",
    "/codebook/",
    "/activity/",
    "/agreement/",
    "/export/",
    "/import/",
]


def test_pages_fit_a_phone_and_start_with_a_skip_link(page_as: Any, live_server: Any):
    document = DocumentFactory(slug="doc", title="Trust across a long border " * 3)
    records = [
        ParagraphFactory(
            document=document,
            position=position,
            text="Trust between the agencies of the three countries was scarce. " * 4,
        )
        for position in range(3)
    ]
    # Themes with long names and two coders: the codebook, activity and
    # agreement tables get all their columns.
    themes = [ThemeFactory(name=f"Transboundary {n} cooperation") for n in "ABC"]
    for coder in ("ana", "ben"):
        AnnotationFactory(
            paragraph=records[0],
            author=UserFactory(username=coder, role=Role.ANNOTATOR),
            themes=themes,
        )
    page = page_as(UserFactory(role=Role.ADMIN))
    review = f"/annotations/bulk-review/?paragraphs={records[0].pk}&theme=x"
    for url in [*PAGES, review]:
        page.goto(f"{live_server.url}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
        assert page.evaluate(CUT_TABLES) == [], url
        assert page.evaluate(SMALL_TARGETS) == [], url
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
