"""Correcting records in a real browser: a curator splits one record and merges
two on the reading page with the keyboard-reachable controls, then finds the
change in search. Screenshots of the controls (desktop and phone widths) go to
$GLOSS_SCREENSHOT_DIR (else tmp_path) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import Role
from corpus.models import Document
from search.backend import get_backend
from tests.factories import DocumentFactory, ParagraphFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = [
    "Cooperation grew slowly. Distrust of the border agencies stayed high.",
    "The second half of a paragraph broken by",
    "a page turn in the source file.",
]


@pytest.fixture
def document(db: None) -> Document:
    document = DocumentFactory(slug="doc", title="Border cooperation")
    for position, text in enumerate(TEXTS):
        ParagraphFactory(document=document, position=position, text=text)
    get_backend().rebuild()
    return document


def open_tools(page: Page, position: int) -> Any:
    tools = page.locator(f'details.record-tools[data-for="p-{position}"]')
    tools.locator("summary").focus()
    page.keyboard.press("Enter")  # a <details> opens from the keyboard
    expect(tools.locator(".tools")).to_be_visible()
    return tools


def texts(document: Document) -> list[str]:
    return list(document.paragraphs.order_by("position").values_list("text", flat=True))


def test_curator_splits_and_merges_then_finds_it(
    page_as, live_server, document, tmp_path: Path
):
    shots = Path(os.environ.get("GLOSS_SCREENSHOT_DIR", tmp_path))
    page = page_as(UserFactory(username="cleo", role=Role.CURATOR))
    page.goto(f"{live_server.url}/documents/doc/")
    page.get_by_role("link", name="Correct records").click()
    page.wait_for_url("**/documents/doc/?curate=1")

    # Split record 0 after its first sentence, from the split page.
    tools = open_tools(page, 0)
    page.screenshot(path=str(shots / "tools-desktop.png"), full_page=True)
    tools.get_by_role("link", name="Split…").click()
    page.get_by_label("Distrust of the border agencies", exact=False).check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".split-preview")).to_contain_text("Cooperation grew slowly.")
    page.screenshot(path=str(shots / "split-desktop.png"), full_page=True)
    page.get_by_role("button", name="Split here").click()
    page.wait_for_url("**/documents/doc/?curate=1#p-0")
    expect(page.locator(".messages")).to_contain_text("Split record 0 in two")

    # Merge the broken paragraph (now records 2 and 3), joined by a space.
    tools = open_tools(page, 2)
    tools.get_by_role("button", name="Merge with next").click()
    page.wait_for_url("**/documents/doc/?curate=1#p-2")
    expect(page.locator("#p-2 .text")).to_have_text(
        "The second half of a paragraph broken by a page turn in the source file."
    )
    assert texts(document) == [
        "Cooperation grew slowly.",
        "Distrust of the border agencies stayed high.",
        "The second half of a paragraph broken by a page turn in the source file.",
    ]

    page.goto(f'{live_server.url}/search/?q="broken by a page turn"')
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit")).to_contain_text("broken by a page turn")
    page.goto(f"{live_server.url}/search/?q=distrust")
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit .hit-text")).to_have_text(
        "Distrust of the border agencies stayed high."
    )
    assert page.js_errors == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/documents/doc/?curate=1")
    open_tools(page, 1)
    page.screenshot(path=str(shots / "tools-phone.png"), full_page=True)
    page.goto(
        f"{live_server.url}/documents/doc/records/{document.paragraphs.get(position=1).pk}/split/"
    )
    page.screenshot(path=str(shots / "split-phone.png"), full_page=True)


def test_a_viewer_sees_no_correction_controls(page_as, live_server, document):
    page = page_as(UserFactory(username="vera", role=Role.VIEWER))
    page.goto(f"{live_server.url}/documents/doc/?curate=1")
    expect(page.locator(".record")).to_have_count(3)
    expect(page.locator("details.record-tools")).to_have_count(0)
    expect(page.get_by_role("link", name="Correct records")).to_have_count(0)
