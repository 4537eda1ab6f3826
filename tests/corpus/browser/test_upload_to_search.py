"""The whole way in a real browser, with a real task worker: a curator uploads
a PDF and a text file, watches them ingest, corrects a record of the PDF (a
merge) and finds the corrected text in search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import Role
from corpus.models import Document
from tests.corpus.samples import TEXT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = Path(__file__).resolve().parents[2] / "data" / "pdf" / "sandwich.pdf"
# Two paragraphs of the PDF's introduction, one after the other.
FIRST_END = "easy to use, flexible and extensible."
SECOND_START = "In many situations, economic data arises"


def test_upload_a_pdf_correct_a_record_and_find_it(
    page_as: Any, worker_process: Any, live_server: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "to-upload"
    folder.mkdir()
    (folder / "sandwich.pdf").write_bytes(PDF.read_bytes())
    (folder / "notes.txt").write_text(TEXT, encoding="utf-8")
    worker_process()

    page: Page = page_as(UserFactory(role=Role.CURATOR))
    page.goto(f"{live_server.url}/documents/upload/")
    page.set_input_files(
        "#id_files", [str(folder / "sandwich.pdf"), str(folder / "notes.txt")]
    )
    page.click("form.upload-form button[type=submit]")
    items = page.locator("#upload-results > li.job")
    expect(items).to_have_count(2)
    for index in range(2):
        expect(items.nth(index)).to_have_attribute("data-status", "done")
    expect(items.nth(0).locator(".job-counts")).to_contain_text("heading")
    items.nth(0).locator(".job-preview summary").click()
    expect(items.nth(0).locator(".job-preview")).to_contain_text(
        "Econometric Computing with HC and HAC Covariance Matrix Estimators"
    )

    document = Document.objects.get(source_name="sandwich.pdf")
    first = document.paragraphs.get(text__endswith=FIRST_END)
    assert document.paragraphs.get(position=first.position + 1).text.startswith(
        SECOND_START
    )
    page.goto(f"{live_server.url}{document.get_absolute_url()}?curate=1")
    tools = page.locator(f'details.record-tools[data-for="p-{first.position}"]')
    tools.locator("summary").focus()
    page.keyboard.press("Enter")
    tools.get_by_role("button", name="Merge with next").click()
    expect(page.locator(f"#p-{first.position} .text")).to_contain_text(
        f"{FIRST_END} {SECOND_START}"
    )

    page.goto(f'{live_server.url}/search/?q="{FIRST_END} {SECOND_START}"')
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit")).to_contain_text("economic data arises")
    assert page.js_errors == []  # type: ignore[attr-defined]
