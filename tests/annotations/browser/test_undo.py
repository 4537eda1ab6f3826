"""Merge two themes through the confirmation page, then undo the merge from
the activity log, in a real browser at both viewports; with
``GLOSS_SCREENSHOT_DIR`` set, the confirmation page and the log are saved as
PNGs (``phone-merge-confirm.png``, ``phone-activity-undone.png``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import Role
from annotations.models import Annotation, Theme
from tests.factories import (
    AnnotationFactory,
    ParagraphFactory,
    ThemeFactory,
    UserFactory,
)

# Every column but the version counter, which an undo (a new write) moves on.
THEME_COLUMNS = [f.attname for f in Theme._meta.concrete_fields if f.name != "version"]

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page: Page, name: str, viewport: dict[str, int]) -> None:
    folder = os.environ.get("GLOSS_SCREENSHOT_DIR")
    if folder:
        size = "phone" if viewport["width"] < 600 else "desktop"
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{size}-{name}.png", full_page=True)


def test_merge_with_confirmation_then_undo_from_the_log(
    page_as: Any, live_server: Any, viewport: dict[str, int]
):
    distrust = ThemeFactory(slug="distrust", name="Distrust", colour="#dc2626")
    sovereignty = ThemeFactory(slug="sovereignty", name="Sovereignty")
    paragraph = ParagraphFactory(text="Distrust shapes security cooperation.")
    only = AnnotationFactory(paragraph=paragraph, themes=[distrust])
    both = AnnotationFactory(paragraph=paragraph, end=8, themes=[distrust, sovereignty])
    before = list(Theme.objects.order_by("pk").values(*THEME_COLUMNS))
    page = page_as(UserFactory(role=Role.CURATOR))

    page.goto(f"{live_server.url}/codebook/distrust/")
    page.select_option("#id_target", "sovereignty")
    page.click("text=Merge…")
    expect(page.locator("h1")).to_have_text("Merge Distrust into Sovereignty?")
    expect(page.locator(".confirm-summary")).to_contain_text(
        "2 annotations of Distrust move to Sovereignty"
    )
    shot(page, "merge-confirm", viewport)
    assert Theme.objects.filter(slug="distrust").exists()  # not yet
    page.click("button:has-text('Merge into Sovereignty')")
    expect(page.locator(".messages")).to_contain_text(
        "Merged Distrust into Sovereignty"
    )
    assert not Theme.objects.filter(slug="distrust").exists()

    page.goto(f"{live_server.url}/activity/")
    entry = page.locator("li.verb-theme-merged")
    entry.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text("Undone: merged the theme")
    expect(page.locator("li.verb-theme-merged .undone-badge")).to_be_visible()
    expect(page.locator("li.verb-theme-merged button")).to_have_count(0)
    expect(page.locator("li.verb-undone")).to_contain_text("undid: merged the theme")
    shot(page, "activity-undone", viewport)

    assert list(Theme.objects.order_by("pk").values(*THEME_COLUMNS)) == before
    themes_of = {
        a.pk: sorted(a.themes.values_list("slug", flat=True))
        for a in Annotation.objects.all()
    }
    assert themes_of == {only.pk: ["distrust"], both.pk: ["distrust", "sovereignty"]}
    assert page.js_errors == []
