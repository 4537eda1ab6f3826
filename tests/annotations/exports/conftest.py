"""Fixtures for the export and import tests: the bundled corpus ingested, two
annotators' excerpts on it (accents, notes, several themes, mid-paragraph
spans and whole paragraphs), and the shared standards folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from annotations.exports.selection import ExportFilters, ExportRows, export_rows
from annotations.models import Annotation, Theme
from corpus.models import Document, Paragraph
from corpus.services import bundled_sources, document_ingest
from tests.factories import AnnotationFactory, first_project

SHARED = Path(settings.BASE_DIR).parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file of ../shared, or skip the test saying why."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared standards folder beside the repo)")
    return path


@pytest.fixture
def corpus(db: None) -> list[Document]:
    for source in bundled_sources():
        document_ingest(path=source.path, metadata=source.metadata)
    return list(Document.objects.order_by("source_name"))


def _span(paragraph: Paragraph, word: str) -> tuple[int, int]:
    start = paragraph.text.find(word)
    return (start, start + len(word)) if start >= 0 else (0, len(paragraph.text))


@pytest.fixture
def excerpts(
    corpus: list[Document], people: Any, themes: dict[str, Theme]
) -> list[Annotation]:
    """Excerpts by Ana and Ben in every document of the bundled corpus."""
    made = []
    for number, document in enumerate(corpus):
        body = list(document.paragraphs.filter(kind="paragraph").order_by("position"))
        first, middle = body[1], body[len(body) // 2]
        start, end = _span(first, " the ")
        made.append(
            AnnotationFactory(
                paragraph=first,
                start=start,
                end=end + 20,
                author=people.annotator,
                note="Méfiance — déjà vu; “quoted”, comma",
                themes=[themes["distrust"], themes["sovereignty"]],
            )
        )
        made.append(
            AnnotationFactory(
                paragraph=middle,
                author=people.other if number % 2 else people.annotator,
                themes=[themes["bilateralism"]],
            )
        )
    return made


@pytest.fixture
def rows(excerpts: list[Annotation]) -> ExportRows:
    return export_rows(ExportFilters(project=first_project()))
