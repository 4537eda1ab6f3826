"""A theme's analytic memos in the Markdown and DOCX books: at the head of
the theme's chapter, oldest first, with author and date, escaped like every
other text; memos on other subjects stay out of the books."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest

from annotations import services
from annotations.exports import docx, markdown
from annotations.exports.selection import ExportFilters, export_rows
from annotations.models import Memo, Theme
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    first_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def memos(people: Any, themes: dict[str, Theme]) -> dict[str, Memo]:
    document = DocumentFactory(slug="alpha", title="Alpha")
    paragraph = ParagraphFactory(document=document, position=0, text="Trust fades.")
    passage = AnnotationFactory(paragraph=paragraph, themes=[themes["distrust"]])
    AnnotationFactory(paragraph=paragraph, themes=[themes["sovereignty"]])
    ana = people.annotator
    made = {
        "late": services.memo_create(
            project=first_project(),
            author=ana,
            text="Second thought <b>.", theme=themes["distrust"]
        ),
        "early": services.memo_create(
            project=first_project(),
            author=ana,
            text="Distrust is about agents.\nNot states.",
            theme=themes["distrust"],
        ),
        "document": services.memo_create(
            project=first_project(),
            author=ana,
            text="Document memo.", document=document
        ),
        "passage": services.memo_create(
            project=first_project(),
            author=ana,
            text="Passage memo.", annotation=passage
        ),
        "journal": services.memo_create(
            project=first_project(),
            author=ana,
            text="Journal entry."
        ),
    }  # fmt: skip
    when = {"early": dt.datetime(2026, 1, 5, tzinfo=dt.UTC)}
    when["late"] = dt.datetime(2026, 2, 7, 23, 30, tzinfo=dt.UTC)
    for key, moment in when.items():
        Memo.objects.filter(pk=made[key].pk).update(created=moment)
    return made


def markdown_book() -> str:
    out = io.StringIO()
    markdown.write(export_rows(ExportFilters(project=first_project())), out)
    return out.getvalue()


def docx_paragraphs() -> list[str]:
    out = io.BytesIO()
    docx.write(export_rows(ExportFilters(project=first_project())), out)
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    return [
        "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", p))
        for p in re.findall(r"<w:p>.*?</w:p>", xml)
    ]


def test_markdown_book_has_the_themes_memos_oldest_first(memos, people):
    text = markdown_book()
    name = people.annotator.get_full_name() or people.annotator.get_username()
    distrust = text[text.index("## Distrust") : text.index("## Sovereignty")]
    early = distrust.index(
        f"**Memo by {name}, 2026-01-05:**  \nDistrust is about agents.  \nNot states."
    )
    late = distrust.index(f"**Memo by {name}, 2026-02-07:**  \nSecond thought \\<b>.")
    assert early < late < distrust.index("\n> ")  # before the excerpts
    for other in ("Document memo.", "Passage memo.", "Journal entry."):
        assert other not in text
    sovereignty = text[text.index("## Sovereignty") :]
    assert "Memo by" not in sovereignty


def test_docx_book_has_the_themes_memos_oldest_first(memos, people):
    paragraphs = docx_paragraphs()
    name = people.annotator.get_full_name() or people.annotator.get_username()
    start = paragraphs.index("Distrust")
    assert paragraphs[start + 1 : start + 6] == [
        f"Memo by {name}, 2026-01-05:",
        "Distrust is about agents.",
        "Not states.",
        f"Memo by {name}, 2026-02-07:",
        "Second thought &lt;b&gt;.",
    ]
    assert paragraphs[start + 6].startswith("“Trust fades.")
    assert not any("Journal entry." in p or "Document memo." in p for p in paragraphs)
