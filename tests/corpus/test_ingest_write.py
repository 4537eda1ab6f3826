"""document_ingest's shape: read and clean outside any transaction, write in
one; duplicates, new versions (by name or chosen) and the original file kept."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection

from annotations.models import Annotation
from corpus import hooks
from corpus.ingestion import extract, pipeline
from corpus.models import Document, Paragraph
from corpus.services import IngestStatus, Orphan, document_ingest
from tests.factories import AnnotationFactory, UserFactory

TEXT = (
    "Border security became a shared concern after 2001.\n\n"
    "Canada and Mexico each negotiated with the United States alone.\n"
)
NEW_VERSION = (
    "Border security became a shared concern after 2001.\n\n"
    "Trilateral meetings were rare and brief.\n"
)


def _spy(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[bool]:
    """Wrap ``module.name``; record whether a transaction was open at each call."""
    seen: list[bool] = []
    original = getattr(module, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        seen.append(connection.in_atomic_block)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return seen


@pytest.mark.django_db(transaction=True)
def test_reading_and_cleaning_run_outside_any_transaction(write_source, monkeypatch):
    read = _spy(monkeypatch, extract, "read_layout")
    cleaned = _spy(monkeypatch, pipeline, "process")
    stages: list[tuple[str, bool]] = []
    document_ingest(
        path=write_source("a.txt", TEXT),
        on_stage=lambda stage: stages.append((stage, connection.in_atomic_block)),
    )
    assert read == [False] and cleaned == [False]
    assert stages == [("reading", False), ("cleaning", False), ("writing", False)]
    assert Paragraph.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_another_connection_writes_while_a_file_is_cleaned(write_source, monkeypatch):
    """The database's write lock is free during cleaning: a write from another
    connection (another request) goes through at once instead of waiting."""
    outcome: dict[str, object] = {}
    original = pipeline.process

    def write_elsewhere() -> None:
        try:
            UserFactory(username="meanwhile")
            outcome["ok"] = True
        except Exception as exc:  # reported below
            outcome["error"] = exc
        finally:
            connection.close()

    def process(layout: object) -> object:
        thread = threading.Thread(target=write_elsewhere)
        thread.start()
        thread.join(timeout=10)
        return original(layout)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "process", process)
    document_ingest(path=write_source("a.txt", TEXT))
    assert outcome == {"ok": True}


@pytest.mark.django_db(transaction=True)
def test_a_failing_write_leaves_nothing(write_source, monkeypatch):
    def broken(document: object) -> None:
        raise RuntimeError("re-anchoring broke")

    monkeypatch.setattr(hooks, "records_replaced", broken)
    with pytest.raises(RuntimeError):
        document_ingest(path=write_source("a.txt", TEXT))
    assert not Document.objects.exists() and not Paragraph.objects.exists()


@pytest.mark.django_db
def test_the_same_bytes_under_another_name_are_a_duplicate(write_source):
    first = document_ingest(path=write_source("a.txt", TEXT), refuse_duplicates=True)
    records = list(Paragraph.objects.values_list("id", "text"))
    again = document_ingest(path=write_source("copy.txt", TEXT), refuse_duplicates=True)
    assert again.status == IngestStatus.DUPLICATE
    assert again.document == first.document
    assert again.summary().startswith("copy.txt: duplicate of a.txt — ")
    assert Document.objects.count() == 1
    assert list(Paragraph.objects.values_list("id", "text")) == records


@pytest.mark.django_db
def test_the_hash_is_checked_again_inside_the_write(write_source):
    """An identical upload that commits while this one is being cleaned makes
    this one a duplicate: never two documents with the same bytes."""
    other = write_source("other.txt", TEXT)

    def meanwhile(stage: str) -> None:
        if stage == "writing":
            document_ingest(path=other, refuse_duplicates=True)

    outcome = document_ingest(
        path=write_source("mine.txt", TEXT), refuse_duplicates=True, on_stage=meanwhile
    )
    assert outcome.status == IngestStatus.DUPLICATE
    assert outcome.document.source_name == "other.txt"
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_a_new_version_reanchors_annotations_and_lists_orphans(write_source):
    path = write_source("a.txt", TEXT)
    document = document_ingest(path=path).document
    kept, lost = document.paragraphs.order_by("position")
    survivor = AnnotationFactory(paragraph=kept, start=0, end=15)  # "Border security"
    orphan = AnnotationFactory(paragraph=lost, start=0, end=6)  # "Canada"
    path.write_text(NEW_VERSION, encoding="utf-8")
    outcome = document_ingest(path=path, refuse_duplicates=True)
    assert outcome.status == IngestStatus.UPDATED
    assert outcome.reanchored == 1
    assert outcome.orphans == (Orphan(orphan.pk, "Canada"),)
    survivor.refresh_from_db()
    assert not survivor.orphaned
    assert survivor.paragraph.text.startswith("Border security")
    assert Annotation.objects.get(pk=orphan.pk).orphaned


@pytest.mark.django_db
def test_a_chosen_document_takes_a_file_of_another_name(write_source):
    document = document_ingest(path=write_source("a.txt", TEXT)).document
    outcome = document_ingest(
        path=write_source("a-revised.txt", NEW_VERSION),
        version_of=document,
        refuse_duplicates=True,
    )
    assert outcome.status == IngestStatus.UPDATED
    assert outcome.document == document
    assert Document.objects.get().source_name == "a.txt"  # names never change
    texts = Paragraph.objects.values_list("text", flat=True)
    assert "Trilateral meetings were rare and brief." in texts


@pytest.mark.django_db
def test_the_original_file_is_kept_for_download(write_source, settings):
    path = write_source("a.txt", TEXT)
    document = document_ingest(path=path).document
    assert document.source_file.name.endswith("/a.txt")
    stored = Path(settings.MEDIA_ROOT) / document.source_file.name
    assert stored.read_bytes() == path.read_bytes()
    with document.source_file.open("rb") as handle:
        assert handle.read() == path.read_bytes()


@pytest.mark.django_db
def test_unchanged_files_are_not_copied_again(write_source, settings):
    path = write_source("a.txt", TEXT)
    document_ingest(path=path)
    document_ingest(path=path, force=True)
    assert len(list(Path(settings.MEDIA_ROOT).rglob("a*.txt"))) == 1


@pytest.mark.django_db
def test_an_unchanged_document_without_its_original_gets_it_once(write_source):
    path = write_source("a.txt", TEXT)
    document = document_ingest(path=path).document
    Document.objects.filter(pk=document.pk).update(source_file="")  # as before 0003
    records = list(Paragraph.objects.values_list("id", "text"))
    outcome = document_ingest(path=path)
    assert outcome.status == IngestStatus.UNCHANGED
    document.refresh_from_db()
    assert document.source_file.name.endswith("/a.txt")
    assert list(Paragraph.objects.values_list("id", "text")) == records
