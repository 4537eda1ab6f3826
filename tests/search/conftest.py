"""Search fixtures: a real Whoosh index in tmp_path for every test (settings
override, no mocks), a small named corpus in the database, the bundled one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from corpus.models import Document, Paragraph
from search.backend import get_backend, reset_backends
from tests.factories import DocumentFactory, ParagraphFactory


@pytest.fixture(autouse=True)
def _search_index_in_tmp(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Every test gets its own index under tmp_path (never var/), built in one
    process (test corpora are small)."""
    settings.GLOSS_INDEX_DIR = tmp_path / "index"
    settings.GLOSS_SEARCH_PROCS = 1
    reset_backends()
    yield
    reset_backends()


# Records of the small named corpus: (kind, section, lang, text).
SMALL = [
    ("meta", "", "en", "by Roberto Domínguez, Suffolk University"),
    ("heading", "Introduction", "en", "Introduction"),
    (
        "paragraph",
        "Introduction",
        "en",
        "Security cooperation in North America grew after 2001.",
    ),
    (
        "paragraph",
        "Introduction",
        "en",
        "Distrust of U.S. authorities runs deep in Mexico.",
    ),
    ("footnote", "Introduction", "en", "1 On cooperating agencies, see Smith."),
    ("paragraph", "Conclusion", "fr", "La souveraineté du Canada reste une priorité."),
    ("reference", "References", "en", "Smith, J. (2001). Borders and cooperation."),
]


@pytest.fixture
def small_corpus(db) -> Document:
    """One document of seven records, indexed (rebuilt from the database)."""
    document = DocumentFactory(
        source_name="000_obstacles.txt",
        slug="000-obstacles",
        title="Obstacles for Security Cooperation",
        authors=["Roberto Domínguez", "Rafael Velázquez"],
    )
    for position, (kind, section, lang, text) in enumerate(SMALL):
        ParagraphFactory(
            document=document,
            position=position,
            kind=kind,
            section=section,
            lang=lang,
            text=text,
        )
    get_backend().rebuild()
    return document


def paragraph(document: Document, position: int) -> Paragraph:
    return document.paragraphs.get(position=position)
