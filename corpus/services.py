"""Writes to the corpus: ingesting a source file into a Document and its records.

Metadata policy (title, authors, affiliation, year). The manifest (or the
``metadata`` argument) describes what is known about a source file; the admin
is where people correct it. Ingestion therefore only *fills blanks*: a value
is written to a field that is empty, never over a value already there, and an
empty or missing value never clears anything. Edits made in the admin survive
every re-ingest. To take a corrected manifest value, clear the field in the
admin and re-ingest the changed file. An unchanged file is not written at all
(except, once, to keep the original file of a document ingested before
``Document.source_file`` existed).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Project
from corpus import hooks
from corpus.hooks import Orphan
from corpus.ingestion import extract, pipeline
from corpus.ingestion.extract import ExtractionError
from corpus.models import Document, Paragraph

MANIFEST_NAME = "manifest.json"
RESERVED_SLUGS = frozenset({"upload"})
METADATA_FIELDS = ("title", "authors", "affiliation", "year")


class InvalidMetadata(ValueError):
    """Metadata (manifest entry) of the wrong shape; the message is user-facing."""


class IngestStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"  # the same bytes are another document already


@dataclass(frozen=True)
class IngestOutcome:
    """What ``document_ingest`` did: the document, the status, records by kind.

    For ``DUPLICATE`` the document is the one that already has these bytes.
    ``orphans`` lists the annotations a new version could not re-anchor.
    """

    document: Document
    status: IngestStatus
    counts: dict[str, int]
    source_name: str = ""
    reanchored: int = 0
    orphans: tuple[Orphan, ...] = ()

    def summary(self) -> str:
        """One line, e.g. ``a.txt: created — 1 heading, 4 paragraph, 0 footnote…``."""
        by_kind = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        name = self.source_name or self.document.source_name
        if self.status == IngestStatus.DUPLICATE:
            return f"{name}: duplicate of {self.document.source_name} — {by_kind}"
        return f"{name}: {self.status} — {by_kind}"


class Source(NamedTuple):
    """A bundled source file and its manifest entry (empty when unknown)."""

    path: Path
    metadata: Mapping[str, Any]


# Called with a stage name ("reading", "cleaning", "writing") as ingestion
# reaches it, outside any transaction: the upload page shows it.
OnStage = Callable[[str], None]
# Called inside the write transaction with the outcome: a job records its
# result in the same commit as the document, so the two never disagree.
WithinWrite = Callable[[IngestOutcome], None]
# pg_advisory_xact_lock key: one ingest write at a time (see _serialise_writes).
INGEST_LOCK_KEY = 0x61055


def document_ingest(  # noqa: PLR0913 - one service, keyword-only options
    *,
    path: Path,
    project: Project | None = None,
    metadata: Mapping[str, Any] | None = None,
    force: bool = False,
    refuse_duplicates: bool = False,
    name: str | None = None,
    version_of: Document | None = None,
    stored_as: str | None = None,
    on_stage: OnStage | None = None,
    within_write: WithinWrite | None = None,
) -> IngestOutcome:
    """Ingest one source file into ``project`` (default: the first project),
    keyed by its file name there, all or nothing.

    Raises ``ExtractionError`` (user-facing message) when the file cannot
    become text and ``InvalidMetadata`` for malformed metadata; nothing is
    written then. With ``refuse_duplicates`` (uploads), bytes that hash like
    another document's are a ``DUPLICATE`` of it, not ingested twice (the
    ``ingest`` command keeps ingesting identical files under their own names).
    Bytes that hash like the stored ones of this document are "unchanged"
    and cause no write, unless ``force`` asks for it (after the cleaning
    stages improved, say). Otherwise
    the file is a new document or a new version of the document with its name
    (``name``, default the file's; or ``version_of``, chosen explicitly):
    metadata fills blanks only (see the module docstring), its records are
    replaced and its annotations re-anchored.

    Reading and cleaning run outside any transaction (a long file must not
    hold the database's write lock); only writing the records is one short
    transaction, which checks the content hash again, so a concurrent upload of
    the same bytes cannot make a second document. ``stored_as`` names a file
    in the default storage already holding these bytes (an upload), else the
    file is copied there; it becomes ``Document.source_file``.
    """
    name = name or path.name
    known = clean_metadata(metadata or {})
    digest = _file_digest(path)
    stage = on_stage or (lambda _: None)
    project = project or Project.objects.first_project()
    if version_of is not None and version_of.project_id != project.pk:
        raise ExtractionError("The document to replace is in another project.")
    write = _Write(project, name, digest, known, version_of, force, refuse_duplicates)
    settled = _settled(write)
    if settled is not None:
        _keep_source_once(settled, path)
        return _record(settled, within_write)
    stage("reading")
    layout = extract.read_layout(path)
    stage("cleaning")
    draft = pipeline.process(layout)
    records = _records(draft.paragraphs)  # outside the transaction: CPU only
    stored = stored_as or _store_source(path, name=name, digest=digest)
    stage("writing")
    return _write_document(write, draft, stored, within_write, records)


class _Write(NamedTuple):
    """What the file is and how to treat it, known before reading it."""

    project: Project
    name: str
    digest: str
    known: dict[str, Any]
    version_of: Document | None
    force: bool
    refuse_duplicates: bool


def _write_document(
    write: _Write,
    draft: pipeline.DocumentDraft,
    stored: str,
    within_write: WithinWrite | None,
    records: list[_Record] | None = None,
) -> IngestOutcome:
    """The one transaction of an ingest: check again, then store the records
    (``records``: the draft's, made ready before the transaction)."""
    with transaction.atomic():
        _serialise_writes()
        settled = _settled(write)
        if settled is not None:
            return _record(settled, within_write)
        document = _target(write, lock=True)
        status = IngestStatus.CREATED if document is None else IngestStatus.UPDATED
        document = document or _new_document(write.project, write.name)
        _fill_blanks(document, write.known)
        _fill_blanks(document, {"title": draft.title})  # the title the text prints
        document.content_hash = write.digest
        document.language = draft.lang or ""
        document.ingested_at = timezone.now()
        document.source_file.name = stored
        document.save()
        if records is None:
            records = _records(draft.paragraphs)
        counts, placed = _replace_paragraphs(document, records)
        orphans = hooks.orphans(document)
        outcome = IngestOutcome(document, status, counts, write.name, placed, orphans)
        return _record(outcome, within_write)


def _record(outcome: IngestOutcome, within_write: WithinWrite | None) -> IngestOutcome:
    if within_write is not None:
        with transaction.atomic():
            within_write(outcome)
    return outcome


def _settled(write: _Write) -> IngestOutcome | None:
    """The outcome when these bytes are stored already (nothing to write):
    another document's (duplicate) or this one's (unchanged, unless forced)."""
    target = _target(write)
    twin = _twin(write, target) if write.refuse_duplicates else None
    if twin is not None:
        counts = twin.kind_counts()
        return IngestOutcome(twin, IngestStatus.DUPLICATE, counts, write.name)
    if target is not None and target.content_hash == write.digest:
        if not write.force:
            counts = target.kind_counts()
            return IngestOutcome(target, IngestStatus.UNCHANGED, counts, write.name)
    return None


def _twin(write: _Write, target: Document | None) -> Document | None:
    """Another document of the project with exactly these bytes."""
    twins = Document.objects.filter(project=write.project, content_hash=write.digest)
    if target is not None:
        twins = twins.exclude(pk=target.pk)
    return twins.order_by("pk").first()


def _target(write: _Write, *, lock: bool = False) -> Document | None:
    """The document this file is a version of: the chosen one, else by name
    in the project."""
    documents = Document.objects.select_for_update() if lock else Document.objects
    documents = documents.filter(project=write.project)
    if write.version_of is not None:  # (deleted meanwhile: a new one, by name)
        chosen = documents.filter(pk=write.version_of.pk).first()
        if chosen is not None:
            return chosen
    return documents.filter(source_name=write.name).first()


def _serialise_writes() -> None:
    """One ingest write at a time, so the hash check sees every document
    committed before it. SQLite's IMMEDIATE transactions (settings) already
    take the write lock at BEGIN; PostgreSQL needs a lock of its own, since
    there is no row to lock for a document that does not exist yet."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INGEST_LOCK_KEY])


def _store_source(path: Path, *, name: str, digest: str) -> str:
    """Keep the original file (``sources/<sha256>/<name>``) for downloading;
    written before the transaction, and content-addressed, so a rolled-back
    or repeated ingest leaves at most a file that the next one reuses."""
    stored = f"sources/{digest}/{Path(name).name}"
    if not default_storage.exists(stored):
        with path.open("rb") as handle:
            stored = default_storage.save(stored, File(handle))
    return stored


def _keep_source_once(outcome: IngestOutcome, path: Path) -> None:
    """An unchanged document ingested before originals were kept gets its
    file now: the one write an unchanged file causes, once."""
    document = outcome.document
    if outcome.status != IngestStatus.UNCHANGED or document.source_file:
        return
    digest = document.content_hash
    stored = _store_source(path, name=document.source_name, digest=digest)
    Document.objects.filter(pk=document.pk, source_file="").update(source_file=stored)
    document.source_file.name = stored


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


def _new_document(project: Project, source_name: str) -> Document:
    slug = _unique_slug(project, Path(source_name).stem)
    # The first project keeps the IRIs of before projects (citations stay
    # valid); others carry the project in theirs.
    first = Project.objects.order_by("pk").values_list("pk", flat=True).first()
    path = slug if project.pk == first else f"{project.slug}/{slug}"
    return Document(
        project=project,
        source_name=source_name,
        slug=slug,
        iri=f"{settings.GLOSS_BASE_IRI}{path}",
    )


def _unique_slug(project: Project, stem: str) -> str:
    """``000_46f3a97b82bd372a`` -> ``000-46f3a97b82bd372a``; suffixed if taken
    (or reserved: ``/documents/upload/`` is the upload page)."""
    base = slugify(stem.replace("_", "-"))[:240] or "document"
    slug, n = base, 1
    taken = Document.objects.filter(project=project)
    while slug in RESERVED_SLUGS or taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _fill_blanks(document: Document, metadata: Mapping[str, Any]) -> None:
    for field in METADATA_FIELDS:
        value = metadata.get(field)
        if value not in (None, "", []) and getattr(document, field) in (None, "", []):
            setattr(document, field, value)


class _Record(NamedTuple):
    """A paragraph row's values but its document's: what the insert writes."""

    position: int
    kind: str
    section: str
    page: int | None
    lang: str
    label: str
    text: str


def _records(drafts: Iterable[pipeline.ParagraphDraft]) -> list[_Record]:
    r"""The drafts as rows at positions 0..n-1, normalised as stored.

    >>> draft = pipeline.ParagraphDraft(kind="heading", text="Cafe\u0301\r\n")
    >>> _records([draft])[0][:3], _records([draft])[0].text
    ((0, 'heading', ''), 'Café\n')
    """
    return [
        _Record(
            position,
            Paragraph.Kind(d.kind).value,
            normalise_text(d.section or ""),
            d.page,
            d.lang or "",
            d.label[:16],
            normalise_text(d.text),
        )
        for position, d in enumerate(drafts)
    ]


def _replace_paragraphs(
    document: Document, records: list[_Record]
) -> tuple[dict[str, int], int]:
    """Delete the document's records and store ``records`` (positions 0..n-1).

    Annotations are detached first (paragraph deletion is RESTRICTed while
    any point at them) and re-anchored by quote and context afterwards; the
    index update for old and new records is queued (search's outbox). All in
    this same transaction; annotations that cannot be placed are kept as
    orphans. Returns the records by kind and how many annotations were placed.
    """
    old_ids = list(document.paragraphs.values_list("id", flat=True))
    hooks.records_replacing(document)
    document.paragraphs.all().delete()
    new_ids = _insert_paragraphs(document, records)
    placed = hooks.records_replaced(document)
    hooks.paragraphs_changed([*old_ids, *new_ids])
    found = Counter(record.kind for record in records)
    return {kind: found[kind] for kind in Paragraph.Kind.values}, placed


# The insert's columns, in _Record's order after the document's.
_PARAGRAPH_COLUMNS = ("document", *_Record._fields, "hidden")


def _insert_paragraphs(document: Document, records: list[_Record]) -> list[int]:
    """Insert the rows with one ``executemany``; their ids by position.

    ``bulk_create`` spent most of a big file's write transaction (~60 s for
    93,000 records on a loaded machine, holding SQLite's write lock all that
    while) building a model instance and SQL for each value; the plain
    insert of the same values (each field's stored form: strings, integers,
    NULL, ``hidden`` false) takes a fraction of it.
    """
    if not records:
        return []
    meta, quote = Paragraph._meta, connection.ops.quote_name
    by_name = {f.name: f.get_attname_column()[1] for f in meta.concrete_fields}
    columns = [str(by_name[name]) for name in _PARAGRAPH_COLUMNS]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(document.pk, *r, False) for r in records])
    ids = document.paragraphs.order_by("position").values_list("id", flat=True)
    return list(ids)
