"""The reader in a real browser: select a passage with the mouse, tag it from
the popover (mouse and keyboard), see it highlighted; someone else sees it with
its author; filters; edit; delete; and what a viewer or another annotator may
not do, refused both in the page and by the API."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import Role
from annotations import services
from annotations.models import Annotation
from tests.annotations.conftest import TEXTS
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The popover lists active themes by name: 1 Bilateralism, 2 Distrust, 3 Sovereignty.
CHAR_RECT = """([position, cp]) => {
  const root = document.querySelector('#p-' + position + ' .text');
  root.scrollIntoView({block: 'center'});
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    const chars = Array.from(node.data);
    if (cp < seen + chars.length) {
      const offset = chars.slice(0, cp - seen).join('').length;
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + chars[cp - seen].length);
      const rect = range.getClientRects()[0];
      return {left: rect.left, right: rect.right, y: (rect.top + rect.bottom) / 2};
    }
    seen += chars.length;
  }
  throw new Error('offset past the end');
}"""


@pytest.fixture
def site(db: None) -> dict[str, Any]:
    document = DocumentFactory(slug="doc", title="Security cooperation")
    paragraphs = [
        ParagraphFactory(document=document, position=i, text=text)
        for i, text in enumerate(TEXTS)
    ]
    themes = {
        slug: ThemeFactory(slug=slug, name=slug.capitalize(), colour=colour)
        for slug, colour in [
            ("sovereignty", "#d97706"),
            ("distrust", "#dc2626"),
            ("bilateralism", "#2563eb"),
        ]
    }
    people = {
        "ana": UserFactory(username="ana", first_name="Ana", role=Role.ANNOTATOR),
        "ben": UserFactory(username="ben", first_name="Ben", role=Role.ANNOTATOR),
        "vera": UserFactory(username="vera", first_name="Vera", role=Role.VIEWER),
        "cleo": UserFactory(username="cleo", first_name="Cleo", role=Role.CURATOR),
    }
    return {"paragraphs": paragraphs, "themes": themes, "people": people}


def open_document(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/documents/doc/")
    expect(page.locator("#annotation-bar")).to_be_visible()
    # Mouse coordinates are read from the layout: wait until styles, fonts and
    # the annotation layer have settled, or a drag may start on stale text.
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")


def drag_select(page: Page, position: int, start: int, end: int) -> None:
    """Select code points [start, end) of a record with a real mouse drag."""
    page.evaluate(CHAR_RECT, [position, start])  # scrolls the record into view
    page.wait_for_timeout(100)  # let the scroll land before measuring
    first = page.evaluate(CHAR_RECT, [position, start])
    last = page.evaluate(CHAR_RECT, [position, end - 1])
    page.mouse.move(first["left"] + 1, first["y"])
    page.mouse.down()
    page.mouse.move(last["right"] - 1, last["y"], steps=8)
    page.mouse.up()


def popover(page: Page):
    return page.locator("#gloss-popover")


def ready_to_type(page: Page) -> None:
    """Keys go to the popover only once it is open with its filter focused."""
    expect(popover(page).locator(".theme-filter")).to_be_focused()


def marks(page: Page, position: int):
    return page.locator(f"#p-{position} mark.hl")


def api_status(page: Page, method: str, url: str, body: dict | None = None) -> int:
    """What the API answers to a fetch made from the page, with its CSRF token."""
    return page.evaluate(
        """async ([method, url, body]) => {
          const config = JSON.parse(
            document.getElementById('gloss-reader-config').textContent);
          const headers = {
            'X-CSRFToken': config.csrfToken, 'Content-Type': 'application/json'};
          const init = {method, headers};
          if (body) init.body = JSON.stringify(body);
          return (await fetch(url, init)).status;
        }""",
        [method, url, body],
    )


def test_select_tag_and_see_it_highlighted(page_as, live_server, site):
    page = page_as(site["people"]["ana"])
    open_document(page, live_server)
    drag_select(page, 0, 16, 24)  # "distrust"
    expect(popover(page)).to_be_visible()
    expect(popover(page).locator(".popover-quote")).to_have_text("distrust")
    popover(page).get_by_label("Distrust").check()
    popover(page).locator(".note-input").fill("Names the <b>problem</b>.")
    popover(page).get_by_role("button", name="Tag").click()
    expect(popover(page)).to_be_hidden()
    expect(marks(page, 0)).to_have_text("distrust")
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.quote) == (16, 24, "distrust")
    assert [t.slug for t in annotation.themes.all()] == ["distrust"]
    assert annotation.author.username == "ana"
    page.reload()  # stored, not just drawn
    expect(marks(page, 0)).to_have_text("distrust")
    assert page.js_errors == []


def test_offsets_are_code_points_after_an_emoji(page_as, live_server, site):
    text = TEXTS[2]
    start = text.rindex("ok")
    page = page_as(site["people"]["ana"])
    open_document(page, live_server)
    drag_select(page, 2, start, start + 2)
    expect(popover(page)).to_be_visible()
    ready_to_type(page)
    page.keyboard.press("3")  # Sovereignty
    page.keyboard.press("Enter")  # save
    expect(marks(page, 2)).to_have_text("ok")
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end) == (start, start + 2)
    assert text[annotation.start : annotation.end] == "ok"


def test_keyboard_type_ahead_enter_and_escape(page_as, live_server, site):
    page = page_as(site["people"]["ana"])
    open_document(page, live_server)
    drag_select(page, 1, 0, 6)  # "Mexico"
    ready_to_type(page)
    page.keyboard.press("Escape")  # closes without saving
    expect(popover(page)).to_be_hidden()
    drag_select(page, 1, 0, 6)
    ready_to_type(page)
    page.keyboard.type("sov")  # type-ahead narrows the list
    expect(popover(page).locator(".theme-option:visible")).to_have_count(1)
    page.keyboard.press("Enter")  # picks the match
    expect(popover(page).get_by_label("Sovereignty")).to_be_checked()
    page.keyboard.press("2")  # numbers toggle too: Distrust
    page.keyboard.press("Enter")  # saves
    expect(marks(page, 1)).to_have_text("Mexico")
    annotation = Annotation.objects.get()
    assert sorted(t.slug for t in annotation.themes.all()) == [
        "distrust",
        "sovereignty",
    ]


def test_whole_paragraph_button(page_as, live_server, site):
    page = page_as(site["people"]["ana"])
    open_document(page, live_server)
    page.locator("#p-1").hover()
    page.locator("#p-1 .tag-whole").click()
    ready_to_type(page)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(marks(page, 1)).to_have_text(TEXTS[1])
    assert Annotation.objects.get().is_whole_paragraph


def test_someone_else_sees_it_with_author_but_cannot_change_it(
    page_as, live_server, site
):
    ana, ben = site["people"]["ana"], site["people"]["ben"]
    annotation = AnnotationFactory(
        paragraph=site["paragraphs"][0],
        start=0,
        end=11,
        author=ana,
        note="Sovereignty as the frame.",
        themes=[site["themes"]["sovereignty"]],
    )
    page = page_as(ben)
    open_document(page, live_server)
    marks(page, 0).first.click()
    card = popover(page).locator(".annotation-card")
    expect(card).to_contain_text("Ana Test")
    expect(card).to_contain_text("Sovereignty as the frame.")
    expect(card.locator(".theme-chip")).to_have_text("Sovereignty")
    expect(card.get_by_role("button", name="Edit")).to_have_count(0)
    expect(card.get_by_role("button", name="Delete")).to_have_count(0)
    url = f"/api/annotations/{annotation.pk}"
    assert api_status(page, "PATCH", url, {"note": "mine now"}) == 403
    assert api_status(page, "DELETE", url) == 403
    annotation.refresh_from_db()
    assert annotation.note == "Sovereignty as the frame."


def test_filters_by_theme_and_annotator(page_as, live_server, site):
    p, t, people = site["paragraphs"], site["themes"], site["people"]
    AnnotationFactory(
        paragraph=p[0], start=0, end=11, author=people["ana"], themes=[t["sovereignty"]]
    )
    AnnotationFactory(
        paragraph=p[1], start=0, end=6, author=people["ben"], themes=[t["distrust"]]
    )
    page = page_as(people["ana"])
    open_document(page, live_server)
    expect(page.locator("mark.hl")).to_have_count(2)
    page.select_option("#filter-theme", "distrust")
    expect(page.locator("mark.hl")).to_have_text(["Mexico"])
    assert "theme=distrust" in page.url
    page.select_option("#filter-theme", "")
    page.select_option("#filter-user", "me")
    expect(page.locator("mark.hl")).to_have_text(["Sovereignty"])
    page.select_option("#filter-user", "ben")  # a given person
    expect(page.locator("mark.hl")).to_have_text(["Mexico"])
    expect(page.locator("#annotation-count")).to_have_text("1 annotation shown")
    page.reload()  # filters survive in the address
    expect(page.locator("mark.hl")).to_have_text(["Mexico"])


def test_edit_then_delete_own_annotation(page_as, live_server, site):
    annotation = AnnotationFactory(
        paragraph=site["paragraphs"][0],
        start=16,
        end=24,
        author=site["people"]["ana"],
        themes=[site["themes"]["distrust"]],
    )
    page = page_as(site["people"]["ana"])
    open_document(page, live_server)
    marks(page, 0).click()
    popover(page).get_by_role("button", name="Edit").click()
    popover(page).get_by_label("Sovereignty").check()
    popover(page).locator(".note-input").fill("Both, really.")
    popover(page).get_by_role("button", name="Save").click()
    expect(popover(page)).to_be_hidden()
    annotation.refresh_from_db()
    assert sorted(t.slug for t in annotation.themes.all()) == [
        "distrust",
        "sovereignty",
    ]
    assert annotation.note == "Both, really."
    marks(page, 0).click()
    expect(popover(page)).to_contain_text("Both, really.")
    popover(page).get_by_role("button", name="Delete").click()
    popover(page).locator(".confirm-delete").click()
    expect(marks(page, 0)).to_have_count(0)
    assert not Annotation.objects.exists()


def test_overlapping_spans_stay_readable(page_as, live_server, site):
    p, t, people = site["paragraphs"], site["themes"], site["people"]
    AnnotationFactory(
        paragraph=p[0], start=0, end=24, author=people["ana"], themes=[t["sovereignty"]]
    )
    AnnotationFactory(
        paragraph=p[0], start=16, end=30, author=people["ben"], themes=[t["distrust"]]
    )
    page = page_as(people["ben"])
    open_document(page, live_server)
    expect(marks(page, 0)).to_have_text(["Sovereignty and ", "distrust", " shape"])
    overlap = page.locator("#p-0 mark.hl.overlap")
    expect(overlap).to_have_text("distrust")
    layers = overlap.evaluate(
        "m => m.style.backgroundImage.split('linear-gradient').length - 1"
    )
    assert layers == 2
    assert page.locator("#p-0 .text").text_content() == TEXTS[0]  # text intact
    overlap.click()
    expect(popover(page).locator(".annotation-card")).to_have_count(2)


def test_viewer_is_refused_in_the_page_and_the_api(page_as, live_server, site):
    AnnotationFactory(
        paragraph=site["paragraphs"][0],
        start=0,
        end=11,
        author=site["people"]["ana"],
        themes=[site["themes"]["sovereignty"]],
    )
    page = page_as(site["people"]["vera"])
    open_document(page, live_server)
    expect(page.locator(".tag-whole")).to_have_count(0)
    drag_select(page, 1, 0, 6)
    # The drag did select text (so the reader saw a selection end) ...
    assert len(page.evaluate("window.getSelection().toString()").strip()) == 6
    # ... and after its mouseup handler and two frames, no popover came.
    page.evaluate(
        "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )
    expect(popover(page)).to_have_count(0)  # no tagging popover for viewers
    marks(page, 0).click()
    card = popover(page).locator(".annotation-card")
    expect(card).to_contain_text("Ana Test")
    expect(card.get_by_role("button")).to_have_count(0)
    body = {
        "paragraph": site["paragraphs"][1].pk,
        "start": 0,
        "end": 6,
        "themes": ["distrust"],
    }
    assert api_status(page, "POST", "/api/annotations", body) == 403
    assert Annotation.objects.count() == 1


def test_curator_may_change_anyones(page_as, live_server, site):
    AnnotationFactory(
        paragraph=site["paragraphs"][0],
        start=0,
        end=11,
        author=site["people"]["ana"],
        themes=[site["themes"]["sovereignty"]],
    )
    page = page_as(site["people"]["cleo"])
    open_document(page, live_server)
    marks(page, 0).click()
    popover(page).get_by_role("button", name="Delete").click()
    popover(page).locator(".confirm-delete").click()
    expect(marks(page, 0)).to_have_count(0)
    assert not Annotation.objects.exists()


def test_signing_in_is_required(browser, live_server, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/documents/doc/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/documents/doc/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()


def test_escape_gives_the_focus_back_and_records_are_one_tab_stop(
    page_as, live_server, site
):
    page = page_as(site["people"]["ana"])
    open_document(page, live_server)
    plus = page.locator("[data-id] .tag-whole").first
    plus.focus()
    page.keyboard.press("Enter")  # the keyboard way to tag a whole paragraph
    ready_to_type(page)
    page.keyboard.press("Escape")
    expect(popover(page)).to_be_hidden()
    expect(plus).to_be_focused()  # back where the person was
    # the record's ¶ link is not a tab stop: from one + the next Tab goes on
    # to the next record's +, not to a link in between
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "tag-whole", focused


def test_a_highlight_has_an_accessible_name(page_as, live_server, site):
    services.annotation_create(
        author=site["people"]["ana"],
        paragraph=site["paragraphs"][0],
        start=0,
        end=11,
        themes=["sovereignty"],
    )
    page = page_as(site["people"]["vera"])
    open_document(page, live_server)
    name = marks(page, 0).get_attribute("aria-label")
    assert name is not None and "Sovereignty by Ana Test" in name
