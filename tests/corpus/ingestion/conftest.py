"""Fixtures for the ingestion tests: the bundled seeds, processed once."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.ingestion.extract import read_text
from corpus.ingestion.pipeline import DocumentDraft, process

SOURCES = Path(__file__).resolve().parents[3] / "corpus" / "sources"


@pytest.fixture(scope="session")
def seeds() -> dict[str, DocumentDraft]:
    """Each bundled seed, keyed by its three-digit prefix ("000" … "004")."""
    return {
        path.name[:3]: process(read_text(path))
        for path in sorted(SOURCES.glob("*.txt"))
    }
