"""The analysis workspace in a real browser, on the known coding of
tests/analysis/conftest.py: filter passages by two themes with AND and open
one in the reader; click a matrix cell and land on exactly its passages; sort
the KWIC by right context; every page at 390 px and by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.annotations.browser.conftest import tab_to
from tests.factories import AnnotationFactory, DocumentFactory, ParagraphFactory

pytestmark = pytest.mark.django_db(transaction=True)


def listed_numbers(page: Page, coded: dict) -> list[int]:
    by_pk = {str(a.pk): n for n, a in coded["annotations"].items()}
    keys = page.locator("li.passage").evaluate_all(
        "items => items.map(item => item.dataset.annotation)"
    )
    return [by_pk[key] for key in keys]


def test_and_filter_then_open_the_passage_in_the_reader(page_as, live_server, coded):
    page = page_as(coded["people"].viewer)
    page.goto(f"{live_server.url}/analysis/passages/")
    expect(page.locator("#passage-total")).to_have_text("6")
    page.get_by_label("Distrust", exact=True).check()
    page.get_by_label("Bilateralism", exact=True).check()
    page.select_option("#id_mode", "and")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#passage-total")).to_have_text("1")
    assert listed_numbers(page, coded) == [3]
    expect(page.locator("li.passage mark")).to_have_text(
        "Bilateral trust was built slowly at the border."
    )
    page.get_by_role("link", name="Open in the reader").click()
    page.wait_for_url("**/documents/alpha/?hl=1#p-1")
    expect(page.locator("#p-1")).to_contain_text("Bilateral trust was built slowly")
    expect(page.locator("#p-1")).to_be_in_viewport()


def test_a_matrix_cell_lands_on_exactly_its_passages(page_as, live_server, coded):
    page = page_as(coded["people"].viewer)
    page.goto(f"{live_server.url}/analysis/matrix/")
    cell = page.locator("#matrix a[href*='theme=distrust&document=alpha']")
    expect(cell).to_have_text("3")
    cell.click()
    page.wait_for_url("**/analysis/passages/?theme=distrust&document=alpha")
    expect(page.locator("#passage-total")).to_have_text("3")
    assert listed_numbers(page, coded) == [1, 3, 4]  # 4 via the sub-theme Mistrust


def test_kwic_sorted_by_right_context(page_as, live_server, coded):
    page = page_as(coded["people"].viewer)
    page.goto(f"{live_server.url}/analysis/kwic/")
    page.fill("#id_keyword", "trust")
    page.keyboard.press("Enter")
    expect(page.locator("#kwic-total")).to_have_text("6")
    page.get_by_role("link", name="Right context").click()
    page.wait_for_url("**sort=right**")
    rights = page.locator("#kwic td.kwic-right").all_inner_texts()
    assert [text.strip()[:4].strip() for text in rights] == [
        ", th",
        "at a",
        "betw",
        "in c",
        "was",
        "woul",
    ]


PAGES = [
    "/analysis/",
    "/analysis/passages/",
    "/analysis/matrix/",
    "/analysis/matrix/?by=document&measure=share",
    "/analysis/co-occurrence/",
    "/analysis/codeline/",
    "/analysis/codeline/alpha/",
    "/analysis/kwic/?keyword=trust",
    "/analysis/charts/",
    "/analysis/memos/",
]


@pytest.mark.viewports("phone")
def test_pages_fit_a_phone(page_as: Any, live_server: Any, coded):
    page = page_as(coded["people"].annotator)
    for url in PAGES:
        page.goto(f"{live_server.url}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
        assert page.js_errors == [], url


def test_matrix_and_codeline_by_keyboard(page_as, live_server, coded):
    page = page_as(coded["people"].viewer)
    page.goto(f"{live_server.url}/analysis/matrix/")
    tab_to(page, page.locator("#matrix a[href*='theme=mistrust&document=beta']"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/analysis/passages/?theme=mistrust&document=beta")
    assert listed_numbers(page, coded) == [5]
    page.goto(f"{live_server.url}/analysis/codeline/alpha/")
    mark = page.locator("[data-theme=bilateralism] svg a").first
    mark.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/documents/alpha/?hl=1#p-1")


@pytest.mark.viewports("phone")
def test_a_wide_matrix_scrolls_with_its_theme_column_in_view(
    page_as: Any, live_server: Any, coded, themes
):
    """Twelve documents do not fit 390 px: the frame scrolls sideways, the page
    does not, and each row's theme stays at the frame's left edge."""
    theme = themes["distrust"]
    for n in range(12):
        record = ParagraphFactory(
            document=DocumentFactory(title=f"Another paper {n}"), position=0
        )
        AnnotationFactory(paragraph=record, themes=[theme])
    page = page_as(coded["people"].viewer)
    page.goto(f"{live_server.url}/analysis/matrix/")
    frame = page.locator("#matrix")  # the table scrolls in its own box
    row_name = page.locator("#matrix tbody th[scope=row]").first
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
    left_before = row_name.bounding_box()["x"]
    frame.evaluate("f => { f.scrollLeft = f.scrollWidth; }")
    assert frame.evaluate("f => f.scrollLeft") > 100
    assert row_name.bounding_box()["x"] == pytest.approx(left_before, abs=1)
    assert row_name.is_visible()
