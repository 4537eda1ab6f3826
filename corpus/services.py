"""Writes to the corpus: ingesting a source file into a Document and its records.

Metadata policy (title, authors, affiliation, year). The manifest (or the
``metadata`` argument) describes what is known about a source file; the admin
is where people correct it. Ingestion therefore only *fills blanks*: a value
is written to a field that is empty, never over a value already there, and an
empty or missing value never clears anything. Edits made in the admin survive
every re-ingest. To take a corrected manifest value, clear the field in the
admin and re-ingest the changed file. An unchanged file is not written at all.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from annotations.services import annotations_detach, annotations_reanchor
from corpus.ingestion import extract, pipeline
from corpus.ingestion.extract import ExtractionError
from corpus.models import Document, Paragraph
from search.services import paragraphs_changed

MANIFEST_NAME = "manifest.json"
METADATA_FIELDS = ("title", "authors", "affiliation", "year")


class InvalidMetadata(ValueError):
    """Metadata (manifest entry) of the wrong shape; the message is user-facing."""


class IngestStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class IngestOutcome:
    """What ``document_ingest`` did: the document, the status, records by kind."""

    document: Document
    status: IngestStatus
    counts: dict[str, int]

    def summary(self) -> str:
        """One line, e.g. ``a.txt: created — 1 heading, 4 paragraph, 0 footnote…``."""
        by_kind = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        return f"{self.document.source_name}: {self.status} — {by_kind}"


class Source(NamedTuple):
    """A bundled source file and its manifest entry (empty when unknown)."""

    path: Path
    metadata: Mapping[str, Any]


@transaction.atomic
def document_ingest(
    *, path: Path, metadata: Mapping[str, Any] | None = None, force: bool = False
) -> IngestOutcome:
    """Ingest one source file, keyed by its file name, all or nothing.

    Raises ``ExtractionError`` (user-facing message) when the file cannot
    become text and ``InvalidMetadata`` for malformed metadata; nothing is
    written then. A file whose bytes hash like the stored ones is "unchanged"
    and causes no write, unless ``force`` asks for it (after the cleaning stages
    improved, say). Otherwise the pipeline runs, the document is created
    or updated (metadata fills blanks only, see the module docstring) and its
    records are replaced.
    """
    known = clean_metadata(metadata or {})
    digest = _file_digest(path)
    layout = extract.read_layout(path)
    existing = Document.objects.select_for_update().filter(source_name=path.name)
    document = existing.first()
    if document is not None and document.content_hash == digest and not force:
        return IngestOutcome(document, IngestStatus.UNCHANGED, document.kind_counts())
    draft = pipeline.process(layout)
    status = IngestStatus.CREATED if document is None else IngestStatus.UPDATED
    document = document or _new_document(path.name)
    _fill_blanks(document, known)
    _fill_blanks(document, {"title": draft.title})  # the title the text prints
    document.content_hash = digest
    document.language = draft.lang or ""
    document.ingested_at = timezone.now()
    document.save()
    counts = _replace_paragraphs(document, draft.paragraphs)
    return IngestOutcome(document, status, counts)


def bundled_sources(directory: Path | None = None) -> list[Source]:
    """The bundled corpus: every ``*.txt`` in the sources folder, by name,
    each with its manifest entry (``{}`` when the manifest has none)."""
    directory = directory or Path(settings.GLOSS_SOURCES_DIR)
    manifest = load_manifest(directory / MANIFEST_NAME)
    paths = sorted(directory.glob("*.txt"))
    return [Source(path, manifest.get(path.name, {})) for path in paths]


def load_manifest(path: Path) -> dict[str, Mapping[str, Any]]:
    """Read a manifest (``{file name: metadata}``); a missing file is empty."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InvalidMetadata(f"{path}: not a readable JSON manifest ({exc})") from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, dict) for v in data.values()
    ):
        raise InvalidMetadata(f"{path}: expected an object of objects per file name")
    return data


def clean_metadata(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the known fields with non-empty, well-typed values.

    >>> clean_metadata({"title": " T ", "authors": ["A", ""], "year": None})
    {'title': 'T', 'authors': ['A']}
    """
    cleaned = {
        "title": _text(raw.get("title"), "title"),
        "authors": _authors(raw.get("authors")),
        "affiliation": _text(raw.get("affiliation"), "affiliation"),
        "year": _year(raw.get("year")),
    }
    return {key: value for key, value in cleaned.items() if value not in ("", [], None)}


def normalise_text(text: str) -> str:
    """NFC with ``\\n`` line endings: the stored form offsets are counted in.

    >>> normalise_text("Cafe\\u0301\\r\\nbar\\r")
    'Café\\nbar\\n'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidMetadata(f"{field} must be a string, not {value!r}")
    return normalise_text(value).strip()


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidMetadata(f"authors must be a list of strings, not {value!r}")
    names = [_text(name, "authors") for name in value]
    return [name for name in names if name]


def _year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10000:
        raise InvalidMetadata(f"year must be a whole number or null, not {value!r}")
    return value


def _file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes, read before the text so a file that changes
    mid-ingest is stored under its older hash and re-ingested next time."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ExtractionError(f"{path}: cannot be read ({exc.strerror})") from exc


def _new_document(source_name: str) -> Document:
    slug = _unique_slug(Path(source_name).stem)
    return Document(
        source_name=source_name, slug=slug, iri=f"{settings.GLOSS_BASE_IRI}{slug}"
    )


def _unique_slug(stem: str) -> str:
    """``000_46f3a97b82bd372a`` -> ``000-46f3a97b82bd372a``; suffixed if taken."""
    base = slugify(stem.replace("_", "-"))[:240] or "document"
    slug, n = base, 1
    while Document.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _fill_blanks(document: Document, metadata: Mapping[str, Any]) -> None:
    for field in METADATA_FIELDS:
        value = metadata.get(field)
        if value not in (None, "", []) and getattr(document, field) in (None, "", []):
            setattr(document, field, value)


def _replace_paragraphs(
    document: Document, drafts: Iterable[pipeline.ParagraphDraft]
) -> dict[str, int]:
    """Delete the document's records and store ``drafts`` as positions 0..n-1.

    Annotations are detached first (paragraph deletion is RESTRICTed while
    any point at them) and re-anchored by quote and context afterwards; the
    index update for old and new records is queued (search's outbox). All in
    this same transaction; annotations that cannot be placed are kept as
    orphans.
    """
    old_ids = list(document.paragraphs.values_list("id", flat=True))
    annotations_detach(document=document)
    document.paragraphs.all().delete()
    rows = [_paragraph(document, position, d) for position, d in enumerate(drafts)]
    Paragraph.objects.bulk_create(rows, batch_size=500)
    annotations_reanchor(document=document)
    paragraphs_changed(paragraph_ids=[*old_ids, *(row.id for row in rows)])
    found = Counter(row.kind for row in rows)
    return {kind: found[kind] for kind in Paragraph.Kind.values}


def _paragraph(
    document: Document, position: int, draft: pipeline.ParagraphDraft
) -> Paragraph:
    return Paragraph(
        document=document,
        position=position,
        kind=Paragraph.Kind(draft.kind),
        section=normalise_text(draft.section or ""),
        page=draft.page,
        lang=draft.lang or "",
        label=draft.label[:16],
        text=normalise_text(draft.text),
    )
