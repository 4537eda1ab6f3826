"""Working together live, in two browser contexts: one person tags, the other
sees the highlight appear without reloading and sees who else is reading; an
edit saved from a stale version shows both versions and overwrites nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from annotations import services
from annotations.models import Annotation
from tests.annotations.browser.test_reader import (  # noqa: F401 - the fixture
    marks,
    open_document,
    popover,
    ready_to_type,
    site,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = Path(__file__).resolve().parents[3] / "var" / "screens"
# The reader polls every 2 s; a busy CI machine gets generous slack.
APPEARS_MS = 15_000


def shot(page: Page, name: str, viewport: dict[str, int]) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"live-{name}-{viewport['width']}.png"))


def test_a_tag_appears_for_the_other_reader_without_a_reload(
    page_as: Any,
    live_server: Any,
    site: dict,  # noqa: F811 - the fixture imported above
    viewport: dict[str, int],
) -> None:
    ana, ben = site["people"]["ana"], site["people"]["ben"]
    ana_page, ben_page = page_as(ana), page_as(ben)
    open_document(ana_page, live_server)
    open_document(ben_page, live_server)
    ben_page.evaluate("window.stillTheSamePage = true")

    # Each sees the other as reading.
    expect(ben_page.locator("#live-readers")).to_have_text(
        re.compile(r"^Also reading: Ana\b"), timeout=APPEARS_MS
    )
    expect(ana_page.locator("#live-readers")).to_have_text(
        re.compile(r"^Also reading: Ben\b"), timeout=APPEARS_MS
    )

    # Ana tags the first paragraph; Ben's page draws it by itself.
    ana_page.locator("#p-0 .tag-whole").click()
    ready_to_type(ana_page)
    ana_page.keyboard.press("3")  # Sovereignty
    ana_page.keyboard.press("Enter")
    expect(marks(ana_page, 0)).to_have_count(1)
    focused = ben_page.locator("#p-1 .tag-whole")
    if focused.count():
        focused.focus()
    expect(marks(ben_page, 0)).to_have_count(1, timeout=APPEARS_MS)
    expect(marks(ben_page, 0)).to_have_attribute(
        "aria-label", re.compile(r"^Tagged “.+”: Sovereignty by Ana\b")
    )
    expect(ben_page.locator("#live-news")).to_contain_text("Ana Test tagged")
    assert ben_page.evaluate("window.stillTheSamePage") is True  # no reload
    if focused.count():  # the update did not take the focus away
        expect(focused).to_be_focused()
    expect(ben_page.locator("#annotation-count")).to_have_text("1 annotation shown")
    shot(ben_page, "appeared", viewport)

    # Ana's edit and deletion reach Ben too.
    annotation = Annotation.objects.get()
    services.annotation_update(actor=ana, annotation=annotation, themes=["distrust"])
    expect(marks(ben_page, 0)).to_have_attribute(
        "aria-label", re.compile(r"”: Distrust by Ana\b"), timeout=APPEARS_MS
    )
    services.annotation_delete(actor=ana, annotation=annotation)
    expect(marks(ben_page, 0)).to_have_count(0, timeout=APPEARS_MS)
    expect(ben_page.locator("#live-news")).to_contain_text("was removed")


def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(
    page_as: Any,
    live_server: Any,
    site: dict,  # noqa: F811 - the fixture imported above
    viewport: dict[str, int],
) -> None:
    ana, cleo = site["people"]["ana"], site["people"]["cleo"]
    annotation = services.annotation_create(
        author=ana,
        paragraph=site["paragraphs"][1],
        start=0,
        end=6,
        themes=["sovereignty"],
        note="first thoughts",
    )
    page = page_as(ana)
    open_document(page, live_server)
    marks(page, 1).first.click()
    popover(page).locator("button.edit").click()
    ready_to_type(page)
    # Meanwhile a curator changes the same annotation (version 2).
    services.annotation_update(
        actor=cleo, annotation=annotation, note="the curator's note"
    )
    note = popover(page).locator(".note-input")
    note.fill("ana's rewrite")
    popover(page).locator("button.save").click()

    conflict = popover(page).locator(".conflict")
    expect(conflict).to_contain_text("Not saved: someone else changed this annotation")
    expect(conflict).to_contain_text("ana's rewrite")
    expect(conflict).to_contain_text("the curator's note")
    expect(conflict).to_contain_text("Yours (from version 1)")
    expect(conflict).to_contain_text("Now (version 2)")
    expect(popover(page).locator("button.reopen")).to_be_focused()
    shot(page, "conflict", viewport)
    annotation.refresh_from_db()
    assert (annotation.note, annotation.version) == ("the curator's note", 2)

    # Editing the current version then saves.
    popover(page).locator("button.reopen").click()
    ready_to_type(page)
    popover(page).locator(".note-input").fill("agreed")
    popover(page).locator("button.save").click()
    expect(popover(page)).to_be_hidden()
    annotation.refresh_from_db()
    assert (annotation.note, annotation.version) == ("agreed", 3)
    assert page.js_errors == []  # type: ignore[attr-defined]
