"""By keyboard alone, at a phone's width and a desktop's: Tab reaches every
visible control of a page, in order, and each one shows where the focus is
(an outline) without the sticky header covering it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from annotations.models import Theme
from corpus.models import Document
from tests.annotations.conftest import People
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/search/?q=security",
    "/documents/",
    "/documents/doc/",
    "/documents/doc/?curate=1",
    "/documents/upload/",
    "/codebook/",
    "/codebook/distrust/",
    "/export/",
    "/import/",
    "/activity/",
    "/agreement/",
    "/adjudicate/",
]

# Number every control a person could operate by keyboard (visible, not
# disabled, not taken out of the tab order on purpose), and return how many.
NUMBER_CONTROLS = """() => {
  const all = document.querySelectorAll(
    'a[href], button, select, textarea, summary, [tabindex], '
    + 'input:not([type=hidden])');
  const controls = [...all].filter(e => e.offsetParent !== null && !e.disabled
    && e.tabIndex >= 0 && !e.closest('details:not([open]) > :not(summary)'));
  controls.forEach((e, i) => { e.dataset.kb = i; });
  // A group of radio buttons is one tab stop (arrows move inside it).
  const radios = {};
  controls.filter(e => e.type === 'radio').forEach(e => {
    (radios[e.name] = radios[e.name] || []).push(Number(e.dataset.kb));
  });
  return {count: controls.length, radios};
}"""

# Where the focus is: its number, whether an outline shows, whether it is
# on screen and clear of the sticky header (unless it is in the header).
FOCUS = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  const header = document.querySelector('.site-header').getBoundingClientRect();
  const above = e.closest('.site-header') || e.classList.contains('skip-link');
  return {
    kb: e.dataset.kb === undefined ? null : Number(e.dataset.kb),
    what: `${e.tagName}.${e.className}[${e.type || ''}] `
      + (e.textContent || e.name || '').trim().slice(0, 30),
    group: e.type === 'radio' ? e.name : null,
    outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    onScreen: box.bottom > 0 && box.top < innerHeight && box.width > 0,
    clear: Boolean(above) || box.top >= header.bottom - 1,
  };
}"""


def tab_through(page: Page) -> tuple[set[int], list[dict[str, Any]]]:
    """From the page's first control (the skip link), press Tab until the
    focus leaves the page's controls: the controls expected, and the stops."""
    numbered = page.evaluate(NUMBER_CONTROLS)
    expected = set(range(numbered["count"]))
    # Start at the top (a search box with autofocus would start lower down).
    page.locator(".skip-link").focus()
    stops: list[dict[str, Any]] = []
    for _ in range(numbered["count"] + 3):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS)
        if stop["kb"] is None and stops:
            break  # past the last control (the browser's own UI)
        stops.append(stop)
    for stop in stops:  # one radio reached stands for its group
        if stop["group"]:
            expected -= set(numbered["radios"][stop["group"]]) - {stop["kb"]}
    return expected, stops


def test_tab_reaches_every_control_with_a_visible_focus(
    page_as: Any,
    live_server: Any,
    people: People,
    document: Document,
    themes: dict[str, Theme],
) -> None:
    AnnotationFactory(
        paragraph=document.paragraphs.get(position=0),
        author=people.annotator,
        themes=[themes["distrust"]],
    )
    AnnotationFactory(  # a disagreement, so the adjudication queue has a unit
        paragraph=document.paragraphs.get(position=0),
        author=people.other,
        themes=[themes["sovereignty"]],
    )
    page = page_as(people.admin)
    problems = []
    for address in PAGES:
        page.goto(live_server.url + address)
        page.wait_for_load_state("networkidle")
        expected, stops = tab_through(page)
        reached = {stop["kb"] for stop in stops} | {0}  # the skip link
        if not expected <= reached:
            problems.append(f"{address}: missed {sorted(expected - reached)}")
        problems += [
            f"{address}: {stop['what']} {key}"
            for stop in stops
            for key in ("outlined", "onScreen", "clear")
            if stop["kb"] is not None and not stop[key]
        ]
    assert problems == [], "\n".join(problems)
