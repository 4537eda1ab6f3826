"""The reading page shows the memos on its document (newest first, with
author and date), none from elsewhere, and a link to write one for people
who may."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from annotations import services
from annotations.models import Memo, Theme
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    first_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(people: Any, themes: dict[str, Theme]) -> dict[str, Any]:
    alpha = DocumentFactory(slug="alpha", title="Alpha")
    beta = DocumentFactory(slug="beta", title="Beta")
    paragraph = ParagraphFactory(document=alpha, position=0, text="Trust fades.")
    passage = AnnotationFactory(paragraph=paragraph, themes=[themes["distrust"]])
    ana = people.annotator
    older = services.memo_create(
        project=first_project(), author=ana, text="Read <this> first.", document=alpha
    )
    Memo.objects.filter(pk=older.pk).update(
        created=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    )
    services.memo_create(
        project=first_project(), author=ana, text="Then this.", document=alpha
    )
    services.memo_create(
        project=first_project(), author=ana, text="On beta.", document=beta
    )
    services.memo_create(
        project=first_project(), author=ana, text="On the passage.", annotation=passage
    )
    services.memo_create(
        project=first_project(),
        author=ana,
        text="On the theme.",
        theme=themes["distrust"],
    )
    services.memo_create(project=first_project(), author=ana, text="Journal.")
    return {"alpha": alpha, "beta": beta}


def memo_texts(html: str) -> list[str]:
    box = html[html.index('id="document-memos"') : html.index("</details>")]
    return re.findall(r'<div class="memo-text"><p>(.*?)</p></div>', box)


def test_the_reading_page_lists_its_documents_memos(signed_in, people, documents):
    html = signed_in(people.viewer).get("/documents/alpha/").content.decode()
    assert memo_texts(html) == ["Then this.", "Read &lt;this&gt; first."]
    assert "Memos on this document (2)" in html
    assert '<time datetime="2026-01-05T00:00:00+00:00">5 Jan 2026</time>' in html
    assert "Write a memo on this document" not in html  # a viewer cannot


def test_an_annotator_gets_a_link_to_write_one(signed_in, people, documents):
    html = signed_in(people.annotator).get("/documents/beta/").content.decode()
    assert memo_texts(html) == ["On beta."]
    assert '<a href="/analysis/memos/?about=document:beta">Write a memo' in html
    form = signed_in(people.annotator).get("/analysis/memos/?about=document:beta")
    assert 'value="document:beta"' in form.content.decode()


def test_a_document_without_memos_says_so(signed_in, people, documents):
    gamma = DocumentFactory(slug="gamma")
    ParagraphFactory(document=gamma, position=0)
    html = signed_in(people.viewer).get("/documents/gamma/").content.decode()
    assert "Memos on this document (0)" in html
    assert "No memo on this document yet." in html
