"""The adjudication queue in a browser, at a phone's width and a desktop's: a
curator settles a disagreement by keyboard alone, the unit leaves the queue
and the focus lands on the next unit's first action."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from annotations.models import ConsensusDecision, Theme
from corpus.models import Document
from tests.annotations.browser.conftest import VIEWPORTS, tab_to
from tests.annotations.conftest import People
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_curator_settles_a_disagreement_by_keyboard(
    page_as: Any,
    live_server: Any,
    viewport: dict[str, int],
    people: People,
    document: Document,
    themes: dict[str, Theme],
) -> None:
    records = list(document.paragraphs.order_by("position"))
    for record in records[:2]:  # ana: distrust, ben: sovereignty, twice
        AnnotationFactory(
            paragraph=record, author=people.annotator, themes=[themes["distrust"]]
        )
        AnnotationFactory(
            paragraph=record, author=people.other, themes=[themes["sovereignty"]]
        )
    page = page_as(people.curator)
    page.goto(f"{live_server.url}/adjudicate/")
    expect(page.locator("#queue-total")).to_have_text("2")
    _look(page, viewport, "adjudicate")
    first = page.locator(f"#unit-{records[0].pk}")
    keep = first.get_by_role("button", name=f"Keep Distrust on ¶ {records[0].position}")
    tab_to(page, keep)
    page.keyboard.press("Enter")
    page.wait_for_url("**/adjudicate/?decided=1")
    expect(page.locator(".messages")).to_contain_text("The consensus has Distrust")
    # distrust is settled there, sovereignty still open: the unit stays, first
    expect(page.locator("#queue-total")).to_have_text("2")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == f"Keep Distrust on ¶ {records[0].position}"
    remove = first.get_by_role(
        "button", name=f"Remove Sovereignty from ¶ {records[0].position}"
    )
    tab_to(page, remove)
    page.keyboard.press("Enter")
    page.wait_for_url("**/adjudicate/?decided=1")
    expect(page.locator("#queue-total")).to_have_text("1")
    expect(page.locator(f"#unit-{records[0].pk}")).to_have_count(0)
    focused = page.evaluate("document.activeElement.closest('.queue-item').id")
    assert focused == f"unit-{records[1].pk}"  # on to the next unit
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= viewport["width"], f"the queue is {wide}px wide"
    decisions = ConsensusDecision.objects.values_list("theme__slug", "present")
    assert sorted(decisions) == [("distrust", True), ("sovereignty", False)]
    page.goto(f"{live_server.url}/adjudicate/?status=settled")
    expect(page.locator(".queue-item")).to_have_count(1)
    _look(page, viewport, "adjudicate-settled")


def _look(page: Any, viewport: dict[str, int], name: str) -> None:
    """Save a screenshot when ``GLOSS_SCREENSHOT_DIR`` is set."""
    folder = os.environ.get("GLOSS_SCREENSHOT_DIR")
    if folder:
        size = next(k for k, v in VIEWPORTS.items() if v == viewport)
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{size}-{name}.png", full_page=True)
