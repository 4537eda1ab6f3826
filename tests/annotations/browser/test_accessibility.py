"""Every page of the app through axe-core, at a phone's width and a desktop's:
no violation of impact "serious" or "critical" (contrast, names, labels,
landmarks, roles, focus order).

axe-core comes from npm (``package.json``; ``make test`` runs ``npm ci`` when
it is missing) and is injected into each page from disk, never from a CDN. It
arrives as an inline script, which the Content-Security-Policy would refuse, so
these pages' contexts bypass the CSP (the other browser tests keep it).

With ``GLOSS_SCREENSHOT_DIR`` set, each page is also saved there as a PNG
(``phone-codebook.png``...), for a person to look at.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from accounts.roles import Role
from annotations import rounds
from annotations.exports import FORMATS
from annotations.exports.selection import ExportFilters, export_rows
from annotations.models import Activity
from corpus.models import Document, IngestJob
from tests.annotations.browser.conftest import VIEWPORTS
from tests.annotations.conftest import People
from tests.factories import (
    AnnotationFactory,
    ParagraphFactory,
    UserFactory,
    first_project,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

# Every page a person reaches by GET (the URLconfs' views), by name -> address.
# POST-only actions (merge, retire, hide, show, retry, sign-out) are buttons on
# these pages; their result pages are visited below where they differ. A job's
# fragment (/documents/upload/jobs/N/, what the upload page polls) is checked
# inside the upload page, which lists the job.
PAGES = {
    "search-home": "/",
    "search-results": "/search/?q=security",
    "search-phrase": '/search/?q="security cooperation"',
    "search-empty": "/search/?q=zzzzqx",
    "search-error": "/search/?q=(security",
    "documents": "/documents/",
    "reader": "/documents/doc/",
    "reader-from-search": "/documents/doc/?hl=1#p-1",
    "reader-curate": "/documents/doc/?curate=1",
    "document-edit": "/documents/doc/edit/",
    "document-delete": "/documents/doc/delete/",
    "record-split": "/documents/doc/records/{record}/split/",
    "upload": "/documents/upload/",
    "codebook": "/codebook/",
    "theme-new": "/codebook/new/",
    "theme-detail": "/codebook/distrust/",
    "theme-edit": "/codebook/distrust/edit/",
    "export": "/export/",
    "export-error": "/export/?format=csv&since=yesterday",
    "import": "/import/",
    "activity": "/activity/",
    "activity-filtered": "/activity/?action=theme-retired&size=5",
    "activity-bad-page": "/activity/?before=nowhere",
    "activity-undo": "/activity/{activity}/undo/",
    "theme-merge-confirm": "/codebook/distrust/merge/?target=sovereignty",
    "theme-retire-confirm": "/codebook/distrust/retire/",
    "theme-delete-confirm": "/codebook/bilateralism/delete/",
    "theme-delete-refused": "/codebook/distrust/delete/",
    "agreement": "/agreement/",
    "agreement-choices": "/agreement/?unit=sentence&bulk=on&theme=distrust",
    "rounds": "/agreement/rounds/",
    "adjudicate": "/adjudicate/",
    "adjudicate-settled": "/adjudicate/?status=settled",
    "analysis-consensus": "/analysis/passages/?layer=consensus",
    "bulk-review": "/annotations/bulk-review/?paragraphs={record}&theme=distrust",
    "analysis": "/analysis/",
    "analysis-passages": "/analysis/passages/?theme=distrust&theme=sovereignty",
    "analysis-matrix": "/analysis/matrix/",
    "analysis-co-occurrence": "/analysis/co-occurrence/",
    "analysis-codelines": "/analysis/codeline/",
    "analysis-codeline": "/analysis/codeline/doc/",
    "analysis-kwic": "/analysis/kwic/?keyword=security",
    "analysis-memos": "/analysis/memos/",
    "analysis-charts": "/analysis/charts/",
    "not-found": "/documents/no-such-document/",
}
# The Django admin, for the site admins it lets in (staff superusers).
ADMIN_PAGES = {
    "admin": "/admin/",
    "admin-documents": "/admin/corpus/document/",
    "admin-document": "/admin/corpus/document/{document}/change/",
    "admin-themes": "/admin/annotations/theme/",
}


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("axe.run(document).then(r => r.violations)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in BLOCKING
    ]


def look(page: Page, name: str, viewport: dict[str, int]) -> list[str]:
    """Check the page now shown; save a screenshot when asked to."""
    folder = os.environ.get("GLOSS_SCREENSHOT_DIR")
    if folder:
        size = next(k for k, v in VIEWPORTS.items() if v == viewport)
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{size}-{name}.png", full_page=True)
    return [f"{name}: {line}" for line in violations(page)]


@pytest.fixture
def corpus(people: People, document: Document, themes: dict[str, Any]) -> Any:
    """The small document, tagged by two people, and a finished upload job."""
    records = list(document.paragraphs.order_by("position"))
    hidden = {"kind": "meta", "hidden": True}
    ParagraphFactory(document=document, position=3, text="Page 3", **hidden)
    distrust, both = [themes["distrust"]], [themes["sovereignty"], themes["distrust"]]
    AnnotationFactory(paragraph=records[0], author=people.annotator, themes=distrust)
    note = "The word the paper opens on."
    AnnotationFactory(
        paragraph=records[0], end=11, author=people.other, note=note, themes=both
    )
    job = IngestJob.objects.create(
        project=first_project(),
        original_name="paper.pdf",
        size=1234,
        sha256="0" * 64,
        created_by=people.curator,
        status=IngestJob.Status.DONE,
        document=document,
        result={"records": {"body": 3}, "warnings": ["A page had no text."]},
    )
    # job: listed on the upload page
    rounds.round_open(  # listed on the rounds page
        actor=people.curator,
        project=first_project(),
        name="Pilot round",
        documents=[document],
        coders=[people.annotator, people.other],
    )
    entry = Activity.objects.create(
        project=first_project(),
        actor=people.curator,
        verb=Activity.Verb.THEME_RETIRED,
        summary="retired the theme Bilateralism",
        snapshot={"theme": themes["bilateralism"].pk, "retired": False},
    )
    return {
        "record": records[1].pk,
        "job": job.pk,
        "document": document.pk,
        "activity": entry.pk,
    }


@pytest.fixture
def axe() -> None:
    """axe-core on disk; skipped without it, except under CI=true (a failure)."""
    if not AXE.exists():
        reason = f"{AXE} is missing: `npm ci` (make test runs it) installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.usefixtures("axe")
def test_every_page_has_no_serious_accessibility_violation(
    page_as: Any,
    browser: Browser,
    live_server: Any,
    viewport: dict[str, int],
    people: People,
    corpus: dict[str, int],
) -> None:
    found: list[str] = []
    signed_out = browser.new_context(viewport=viewport, bypass_csp=True).new_page()
    signed_out.goto(f"{live_server.url}/accounts/login/?next=/")
    found += look(signed_out, "sign-in", viewport)
    signed_out.fill("#id_username", people.admin.username)
    signed_out.fill("#id_password", "wrong")
    signed_out.click("button[type=submit]")
    found += look(signed_out, "sign-in-error", viewport)
    signed_out.context.close()

    page = page_as(people.admin, bypass_csp=True)
    for name, address in PAGES.items():
        page.goto(live_server.url + address.format(**corpus))
        page.wait_for_load_state("networkidle")
        found += look(page, name, viewport)
    found += _import_preview(page, live_server, viewport)
    found += _admin_pages(page_as, live_server, viewport, corpus)
    found += _refused_page(page_as, live_server, viewport)
    page.goto(f"{live_server.url}/")
    page.click("text=Sign out")
    found += look(page, "signed-out", viewport)
    assert found == [], "\n".join(found)


def _import_preview(page: Page, live_server: Any, viewport: dict[str, int]) -> list:
    """The import page's preview of a file (this corpus' own W3C export)."""
    exported = io.StringIO()
    FORMATS["w3c"].module.write(
        export_rows(ExportFilters(project=first_project())), exported
    )
    page.goto(f"{live_server.url}/import/")
    page.set_input_files(
        "#id_file",
        {
            "name": "annotations.jsonld",
            "mimeType": "application/ld+json",
            "buffer": exported.getvalue().encode(),
        },
    )
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector(".import-report")
    return look(page, "import-preview", viewport)


def _admin_pages(
    page_as: Any, live_server: Any, viewport: dict[str, int], corpus: dict[str, int]
) -> list:
    """The Django admin's pages as a site admin sees them (not its sign-in)."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    page = page_as(root, bypass_csp=True)
    found = []
    for name, address in ADMIN_PAGES.items():
        page.goto(live_server.url + address.format(**corpus))
        page.wait_for_load_state("networkidle")
        assert page.locator("#user-tools").count() == 1, f"{name}: not signed in"
        found += look(page, name, viewport)
    return found


def _refused_page(page_as: Any, live_server: Any, viewport: dict[str, int]) -> list:
    """What a viewer sees on a curator's page (403)."""
    page = page_as(UserFactory(username="vic", role=Role.VIEWER), bypass_csp=True)
    page.goto(f"{live_server.url}/documents/upload/")
    return look(page, "refused", viewport)
