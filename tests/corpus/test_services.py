"""corpus.services.document_ingest and the bundled-corpus helpers."""

from __future__ import annotations

import doctest
import hashlib
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corpus import services
from corpus.ingestion.extract import ExtractionError
from corpus.models import Document, Paragraph
from corpus.services import (
    IngestStatus,
    InvalidMetadata,
    bundled_sources,
    document_ingest,
    load_manifest,
)
from tests.conftest import PNG_BYTES, draft

pytestmark = pytest.mark.django_db

TWO_PARAGRAPHS = "The first paragraph of the paper.\n\nThe second paragraph of it.\n"


def _is_write(sql: str) -> bool:
    return sql.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}


def test_module_doctests() -> None:
    assert doctest.testmod(services).failed == 0


def test_creates_document_and_records_in_order(write_source) -> None:
    path = write_source("001_abc.txt", TWO_PARAGRAPHS)
    outcome = document_ingest(path=path)
    document = Document.objects.get()
    assert outcome.status == IngestStatus.CREATED
    assert outcome.document == document
    assert document.source_name == "001_abc.txt"
    assert document.slug == "001-abc"
    assert document.iri == "urn:gloss:document:001-abc"
    assert document.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    positions = list(document.paragraphs.values_list("position", flat=True))
    assert positions == list(range(len(positions)))
    assert sum(outcome.counts.values()) == len(positions) > 0
    text = "\n\n".join(document.paragraphs.values_list("text", flat=True))
    assert "first paragraph" in text and "second paragraph" in text


def test_iri_uses_base_setting_at_creation(write_source, settings) -> None:
    settings.GLOSS_BASE_IRI = "https://gloss.example/documents/"
    document_ingest(path=write_source("a.txt", TWO_PARAGRAPHS))
    assert Document.objects.get().iri == "https://gloss.example/documents/a"


def test_stores_drafts_with_counts_nfc_and_newlines(write_source, stub_pipeline):
    stub_pipeline(
        draft("meta", "by A. Author", lang="en"),
        draft("heading", "Intro", section="Intro", page=1),
        draft("paragraph", "Cafe\u0301\r\nsecond line", section="Intro\u0301", page=2),
        draft("footnote", "1 A note."),
        draft("reference", "Ref, 2001."),
        lang="fr",
    )
    outcome = document_ingest(path=write_source("a.txt", "ignored by the stub"))
    assert outcome.counts == {
        "heading": 1,
        "paragraph": 1,
        "footnote": 1,
        "reference": 1,
        "meta": 1,
    }
    assert outcome.summary() == (
        "a.txt: created — 1 heading, 1 paragraph, 1 footnote, 1 reference, 1 meta"
    )
    stored = Paragraph.objects.get(position=2)
    assert stored.text == "Caf\u00e9\nsecond line"
    assert stored.section == "Intr\u00f3"
    assert (stored.kind, stored.page) == ("paragraph", 2)
    assert outcome.document.language == "fr"


def test_unchanged_file_writes_nothing(write_source) -> None:
    path = write_source("a.txt", TWO_PARAGRAPHS)
    first = document_ingest(path=path)
    before = list(Paragraph.objects.values_list("id", "text"))
    with CaptureQueriesContext(connection) as queries:
        again = document_ingest(path=path, metadata={"title": "New"})
    assert [q["sql"] for q in queries if _is_write(q["sql"])] == []
    assert again.status == IngestStatus.UNCHANGED
    assert again.counts == first.counts
    assert list(Paragraph.objects.values_list("id", "text")) == before
    document = Document.objects.get()
    assert document.ingested_at == first.document.ingested_at
    assert document.title == ""


def test_changed_file_replaces_records(write_source) -> None:
    path = write_source("a.txt", TWO_PARAGRAPHS)
    first = document_ingest(path=path).document
    path.write_text("Only a replacement paragraph now.\n", encoding="utf-8")
    outcome = document_ingest(path=path)
    document = Document.objects.get()
    assert outcome.status == IngestStatus.UPDATED
    assert (document.pk, document.slug, document.iri) == (
        first.pk,
        first.slug,
        first.iri,
    )
    texts = list(document.paragraphs.values_list("text", flat=True))
    assert texts == ["Only a replacement paragraph now."]
    assert document.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert document.ingested_at > first.ingested_at


@pytest.mark.parametrize(
    "content",
    [
        b"",  # empty file
        b"  \n\n \n",  # only whitespace
        PNG_BYTES,  # binary
        b"Caf\x81 \x8d\x8f\x90\x9d text",  # undecodable: not UTF-8, not cp1252
    ],
)
def test_unreadable_file_raises_and_changes_nothing(write_source, content) -> None:
    path = write_source("a.txt", TWO_PARAGRAPHS)
    document_ingest(path=path)
    before = list(Paragraph.objects.values_list("id", "text"))
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match="a.txt"):
        document_ingest(path=path)
    assert list(Paragraph.objects.values_list("id", "text")) == before
    assert Document.objects.get().content_hash != hashlib.sha256(content).hexdigest()


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="missing.txt"):
        document_ingest(path=tmp_path / "missing.txt")
    assert not Document.objects.exists()


def test_failure_while_storing_rolls_back(write_source, stub_pipeline) -> None:
    path = write_source("a.txt", TWO_PARAGRAPHS)
    document_ingest(path=path)
    before = list(Paragraph.objects.values_list("id", "text"))
    path.write_text("changed", encoding="utf-8")
    stub_pipeline(draft("paragraph", "fine"), draft("no-such-kind", "bad"))
    with pytest.raises(ValueError, match="no-such-kind"):
        document_ingest(path=path)
    assert list(Paragraph.objects.values_list("id", "text")) == before


def test_metadata_fills_new_document(write_source) -> None:
    metadata = {
        "title": "Obstacles",
        "authors": ["R. Domínguez", "R. Velázquez"],
        "affiliation": "Suffolk University",
        "year": 2012,
    }
    document = document_ingest(
        path=write_source("a.txt", TWO_PARAGRAPHS), metadata=metadata
    ).document
    document.refresh_from_db()
    assert document.title == "Obstacles"
    assert document.authors == ["R. Domínguez", "R. Velázquez"]
    assert (document.affiliation, document.year) == ("Suffolk University", 2012)


def test_reingest_keeps_edited_metadata_and_fills_blanks(write_source) -> None:
    path = write_source("a.txt", TWO_PARAGRAPHS)
    document_ingest(path=path, metadata={"title": "Manifest title"})
    Document.objects.update(title="Edited in admin", year=1999)
    path.write_text("changed text", encoding="utf-8")
    manifest = {"title": "Manifest title", "year": None, "authors": ["X"], "extra": 1}
    document_ingest(path=path, metadata=manifest)
    document = Document.objects.get()
    assert document.title == "Edited in admin"  # never overwritten
    assert document.year == 1999  # empty values never clear
    assert document.authors == ["X"]  # blank field filled


@pytest.mark.parametrize(
    "metadata",
    [
        {"title": 3},  # not a string
        {"authors": "One Author"},  # not a list
        {"year": "2012"},  # not an int
        {"year": True},  # bool is not a year
    ],
)
def test_malformed_metadata_is_refused(write_source, metadata) -> None:
    with pytest.raises(InvalidMetadata):
        document_ingest(path=write_source("a.txt", TWO_PARAGRAPHS), metadata=metadata)
    assert not Document.objects.exists()


def test_slug_collision_gets_a_suffix(write_source) -> None:
    document_ingest(path=write_source("a_b.txt", TWO_PARAGRAPHS))
    document_ingest(path=write_source("a-b.md", TWO_PARAGRAPHS))
    assert sorted(Document.objects.values_list("slug", flat=True)) == ["a-b", "a-b-2"]


def test_bundled_sources_pairs_files_with_manifest(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "manifest.json").write_text(json.dumps({"a.txt": {"title": "A"}}))
    sources = bundled_sources(tmp_path)
    assert [s.path.name for s in sources] == ["a.txt", "b.txt"]
    assert [dict(s.metadata) for s in sources] == [{"title": "A"}, {}]


def test_bundled_sources_default_folder_has_the_five_seeds() -> None:
    names = [source.path.name for source in bundled_sources()]
    assert len(names) == 5
    assert names[0] == "000_46f3a97b82bd372a.txt"


def test_missing_manifest_is_empty_and_bad_manifest_is_an_error(tmp_path) -> None:
    assert load_manifest(tmp_path / "manifest.json") == {}
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(InvalidMetadata, match="manifest"):
        load_manifest(tmp_path / "manifest.json")
    (tmp_path / "manifest.json").write_text('{"a.txt": ["not", "an", "object"]}')
    with pytest.raises(InvalidMetadata):
        load_manifest(tmp_path / "manifest.json")
