"""The upload page in a real browser, with a real task worker process: a
curator uploads several files, watches each one's progress, sees its records."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import Role
from corpus.uploads import PAUSE_AT_ENV, PAUSE_FILE_ENV
from tests.corpus.samples import DOCX, TEXT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The files to upload, and a text each one's records must show (a PDF goes
# the whole way to search in test_upload_to_search.py).
UPLOADS = [
    ("notes.txt", TEXT.encode(), "Border security became a shared concern"),
    ("relations.docx", DOCX, "Trilateral meetings were rare and brief."),
]
# Where screenshots go (GLOSS_SCREENSHOTS=folder), else this test's tmp_path.
SCREENSHOTS_ENV = "GLOSS_SCREENSHOTS"


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"the worker never reached {path}"
        time.sleep(0.05)


@pytest.mark.parametrize("uploads", [UPLOADS])
def test_a_curator_uploads_files_and_watches_them_ingest(
    page_as: Any, worker_process: Any, tmp_path: Path, uploads: list[tuple]
) -> None:
    folder = tmp_path / "to-upload"
    folder.mkdir()
    for name, data, _ in uploads:
        (folder / name).write_bytes(data)
    # The worker stops before writing each file until we let it go on, so the
    # page can be seen mid-way.
    paused = tmp_path / "paused"
    worker_process(**{PAUSE_AT_ENV: "before-write", PAUSE_FILE_ENV: str(paused)})

    page: Page = page_as(UserFactory(role=Role.CURATOR))
    page.click("nav >> text=Documents")
    page.click("text=Upload documents")
    page.set_input_files("#id_files", [str(folder / name) for name, _, _ in uploads])
    _screenshots(page, tmp_path, "upload-chosen")
    page.click("form.upload-form button[type=submit]")

    items = page.locator("#upload-results > li.job")
    expect(items).to_have_count(len(uploads))
    for index, (name, _, _) in enumerate(uploads):
        item = items.nth(index)
        expect(item.locator(".job-name")).to_have_text(name)
        _wait_for(paused)  # this file is read and cleaned, not yet written
        expect(item.locator(".job-status")).to_contain_text("Writing…")
        expect(item.locator("progress")).to_have_attribute("value", "4")  # of 5
        for later in range(index + 1, len(uploads)):
            expect(items.nth(later).locator(".job-status")).to_contain_text("Queued")
        if index == 0:
            _screenshots(page, tmp_path, "upload-progress")
        paused.unlink()  # let the worker write it
        expect(item).to_have_attribute("data-status", "done")
        expect(item.locator(".job-status")).to_contain_text("Created")
        expect(item.locator(".job-counts")).to_contain_text("paragraph")

    for index, (_, _, text) in enumerate(uploads):
        item = items.nth(index)
        item.locator(".job-preview summary").click()
        expect(item.locator(".job-preview")).to_contain_text(text)
    _screenshots(page, tmp_path, "upload-done")
    assert page.js_errors == []  # type: ignore[attr-defined]

    name, _, text = uploads[-1]
    items.nth(len(uploads) - 1).locator("a.job-link").click()
    expect(page.locator("main")).to_contain_text(text)


def _screenshots(page: Page, tmp_path: Path, name: str) -> None:
    """Desktop and phone-width (390 px) shots, to look at."""
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(folder / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})
