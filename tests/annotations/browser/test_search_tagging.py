"""Tagging from search in a real browser: tag a hit in place (whole paragraph,
or the sentence of its match), then find it with the theme filter; select
hits and tag them with one theme after the review step."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from annotations.models import Annotation
from tests.factories import DocumentFactory, ParagraphFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = [
    "Cooperation grew slowly. Distrust of the border agencies stayed high.",
    "A second record about cooperation between the agencies.",
]


@pytest.fixture
def corpus(db: None) -> dict[str, Any]:
    document = DocumentFactory(slug="doc", title="Border cooperation")
    paragraphs = [
        ParagraphFactory(document=document, position=i, text=text)
        for i, text in enumerate(TEXTS)
    ]
    for slug in ("bilateralism", "distrust", "sovereignty"):
        ThemeFactory(slug=slug, name=slug.capitalize())
    return {
        "paragraphs": paragraphs,
        "ana": UserFactory(username="ana", role=Role.ANNOTATOR),
        "vera": UserFactory(username="vera", role=Role.VIEWER),
    }


def search(page, live_server, query: str) -> None:
    page.goto(f"{live_server.url}/search/?q={query}")
    page.wait_for_load_state("networkidle")


def test_tag_the_matching_sentence_then_filter_by_theme(page_as, live_server, corpus):
    page = page_as(corpus["ana"])
    search(page, live_server, "distrust")
    hit = page.locator("form.hit-tag").first
    # No theme is chosen for the person: one click tags nothing.
    expect(hit.locator("select[name=theme]")).to_have_value("")
    hit.get_by_role("button", name="Tag paragraph").click()
    invalid = hit.locator("select[name=theme]").evaluate("s => !s.checkValidity()")
    assert invalid and not Annotation.objects.exists()
    hit.locator("select[name=theme]").select_option("distrust")
    hit.get_by_role("button", name="Tag matching sentence").click()
    expect(hit.locator(".hit-tag-status")).to_have_text("Tagged “Distrust”.")
    expect(page.locator(".hit").first.locator(".hit-themes")).to_contain_text(
        "distrust"
    )
    annotation = Annotation.objects.get()
    assert annotation.quote == "Distrust of the border agencies stayed high."
    assert annotation.origin == "search"  # agreement leaves these out unless asked
    search(page, live_server, "agencies theme:distrust")  # the very next request
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit .hit-themes")).to_contain_text("distrust")
    assert page.js_errors == []


def test_select_hits_and_tag_them_after_review(page_as, live_server, corpus):
    page = page_as(corpus["ana"])
    search(page, live_server, "cooperation")
    for box in page.locator("input[name=paragraphs]").all():
        box.check()
    page.locator("#bulk-theme").select_option("bilateralism")
    page.get_by_role("button", name="Review…").click()
    page.wait_for_url("**/annotations/bulk-review/**")
    expect(page.locator("body")).to_contain_text("A second record about cooperation")
    assert Annotation.objects.count() == 0  # nothing before confirming
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    tagged = {a.paragraph_id for a in Annotation.objects.all()}
    assert tagged == {p.pk for p in corpus["paragraphs"]}
    assert {a.quote for a in Annotation.objects.all()} == set(TEXTS)


def test_a_viewer_gets_no_tagging_controls(page_as, live_server, corpus):
    page = page_as(corpus["vera"])
    search(page, live_server, "cooperation")
    expect(page.locator(".hit")).to_have_count(2)
    expect(page.locator("form.hit-tag")).to_have_count(0)
    expect(page.locator("#bulk-tag")).to_have_count(0)


def test_opening_a_hit_keeps_the_header_and_the_record_in_view(
    page_as, live_server, corpus
):
    """A hit far down a long paper: the reader scrolls to it, and the site's
    header (where am I, how do I get back) stays on screen without covering
    the record."""
    document = corpus["paragraphs"][0].document
    for position in range(2, 60):
        ParagraphFactory(
            document=document,
            position=position,
            text=f"Filler record {position} about the agencies. " * 4,
        )
    ParagraphFactory(
        document=document, position=60, text="The lighthouse clause was signed."
    )
    page = page_as(corpus["vera"])
    search(page, live_server, "lighthouse")
    page.locator(".hit-link").first.click()
    page.wait_for_url("**/documents/doc/?hl=60#p-60")
    record = page.locator("#p-60")
    header = page.locator(".site-header")
    expect(record).to_be_in_viewport()
    expect(header).to_be_in_viewport()
    expect(header.get_by_role("link", name="Search")).to_be_in_viewport()
    header_bottom = header.evaluate("h => h.getBoundingClientRect().bottom")
    record_top = record.evaluate("r => r.getBoundingClientRect().top")
    assert record_top >= header_bottom, (record_top, header_bottom)
    assert page.evaluate("window.scrollY") > 0  # it did scroll to the record
