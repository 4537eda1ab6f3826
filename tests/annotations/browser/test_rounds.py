"""A blind round in a real browser: a curator opens it on the rounds page, a
coder tags in the reader and does not see the other coder's tag there until
the curator closes the round. Screenshots of the rounds and agreement pages
at 390 px go to ``GLOSS_SCREENSHOT_DIR`` when it is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from annotations.models import Annotation, CodingRound
from tests.annotations.browser.test_reader import open_document, ready_to_type
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = [
    "Sovereignty and distrust shape North American security cooperation.",
    "Mexico limits armed agents on its soil. Canada guards its data.",
]


@pytest.fixture
def site(db: None) -> dict[str, Any]:
    document = DocumentFactory(slug="doc", title="Border cooperation")
    paragraphs = [
        ParagraphFactory(document=document, position=i, text=text)
        for i, text in enumerate(TEXTS)
    ]
    themes = {
        slug: ThemeFactory(slug=slug, name=slug.capitalize())
        for slug in ("bilateralism", "distrust", "sovereignty")
    }
    return {
        "document": document,
        "paragraphs": paragraphs,
        "themes": themes,
        "cleo": UserFactory(username="cleo", role=Role.CURATOR),
        "ana": UserFactory(username="ana", role=Role.ANNOTATOR),
        "ben": UserFactory(username="ben", role=Role.ANNOTATOR),
    }


def _shoot(page: Any, name: str, viewport: dict[str, int]) -> None:
    folder = os.environ.get("GLOSS_SCREENSHOT_DIR")
    if folder and viewport["width"] == 390:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/phone-{name}.png", full_page=True)


def _marks(page: Any, position: int) -> Any:
    return page.locator(f"#p-{position} mark.hl")


def test_a_coder_does_not_see_the_other_coders_tag_until_the_round_closes(
    page_as, live_server, site, viewport
):
    curator = page_as(site["cleo"])
    curator.goto(f"{live_server.url}/agreement/rounds/")
    curator.fill("#id_name", "Pilot")
    curator.get_by_label("Border cooperation").check()
    curator.get_by_label("ana", exact=False).check()
    curator.get_by_label("ben", exact=False).check()
    curator.get_by_role("button", name="Open the round").click()
    expect(curator.locator(".messages, [role=status]").first).to_contain_text(
        "Opened the blind round Pilot"
    )
    assert CodingRound.objects.get().is_open

    # ben tagged paragraph 0 (through the API, as the reader does).
    AnnotationFactory(
        paragraph=site["paragraphs"][0],
        author=site["ben"],
        themes=[site["themes"]["sovereignty"]],
    )
    ana = page_as(site["ana"])
    open_document(ana, live_server)
    ana.locator("#p-1").hover()
    ana.locator("#p-1 .tag-whole").click()
    ready_to_type(ana)
    ana.keyboard.press("2")  # Distrust
    ana.keyboard.press("Enter")
    expect(_marks(ana, 1)).to_have_text(TEXTS[1])
    assert Annotation.objects.filter(author=site["ana"]).count() == 1
    open_document(ana, live_server)
    expect(_marks(ana, 1)).to_have_count(1)
    expect(_marks(ana, 0)).to_have_count(0)  # ben's tag is hidden from ana

    _shoot(curator, "rounds", viewport)
    curator.goto(
        f"{live_server.url}/agreement/?coding_round={CodingRound.objects.get().pk}"
    )
    _shoot(curator, "agreement", viewport)
    curator.goto(f"{live_server.url}/agreement/rounds/")
    curator.get_by_role("button", name="Close and reveal").click()
    expect(curator.locator(".round .state").first).to_have_text("closed")

    open_document(ana, live_server)
    expect(_marks(ana, 0)).to_have_count(1)  # revealed
