"""Search fixtures: a small named corpus in the database, the bundled one.
(Every test gets its own real Whoosh index in tmp_path: tests/conftest.py.)"""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from corpus.models import Document, Paragraph
from search.backend import get_backend
from tests.factories import DocumentFactory, ParagraphFactory, UserFactory


@pytest.fixture
def client(client: Client, db: None) -> Client:
    """pytest-django's client, signed in as a Viewer (the least role that reads)."""
    client.force_login(UserFactory(role=Role.VIEWER))
    return client


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
