"""The export page in a real browser: pick filters and a format, download the
file, and check what is in it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from playwright.sync_api import Page

from annotations.models import Theme
from corpus.models import Paragraph
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_viewer_downloads_a_filtered_csv(
    page_as: Any,
    people: Any,
    paragraphs: list[Paragraph],
    themes: dict[str, Theme],
) -> None:
    AnnotationFactory(
        paragraph=paragraphs[2],
        start=20,
        end=26,
        author=people.annotator,
        note="Mérida, déjà",
        themes=[themes["bilateralism"]],
    )
    AnnotationFactory(
        paragraph=paragraphs[0], author=people.other, themes=[themes["distrust"]]
    )
    page: Page = page_as(people.viewer)
    page.click("nav >> text=Export")
    page.select_option("#id_theme", ["bilateralism"])
    page.check("input[name=format][value=csv]")
    with page.expect_download() as info:
        page.click("form.export-form button[type=submit]")
    download = info.value
    assert download.suggested_filename.startswith("gloss-excerpts-")
    assert download.suggested_filename.endswith(".csv")
    data = download.path().read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(row["quote"], row["note"], row["annotator"]) for row in rows] == [
        ("Mérida", "Mérida, déjà", "ana")
    ]
    assert page.js_errors == []  # type: ignore[attr-defined]
