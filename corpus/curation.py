"""Curating the corpus by hand: document metadata and deletion, record corrections.

Every service here is keyword-only, runs in one ``transaction.atomic``, lets
only curators and admins act (``PermissionDenied``; views check first, this is
the backstop), and raises ``ValidationError`` with ``{field: [message]}``
messages fit to show people. In the same transaction each one

- keeps annotations on the same characters (``annotations.services``' curation
  helpers: a merge shifts the second record's annotations, a split moves or
  divides them),
- keeps a document's positions contiguous from 0 (renumbering through a
  parking range above every position, so the unique (document, position)
  constraint never sees two records on one position),
- recomputes sections when a heading is involved (a record's section is the
  text of the last visible heading before it, as ingestion assigns them),
- queues every record it touched for the search index
  (``search.services.paragraphs_changed``; hidden and deleted records leave the
  index because the indexer reads only visible ones), and
- writes an activity entry saying who changed what.

Concurrency: each service locks the document row first (like
``document_ingest``), so corrections of one document, and a re-ingest of it,
run one after another. Re-ingesting a document replaces its records, and with
them any corrections made here (annotations are re-anchored as usual).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max

from accounts.models import Project
from accounts.roles import can_curate
from corpus import hooks
from corpus.models import Document, Paragraph

__all__ = [
    "can_curate",
    "document_update",
    "document_delete",
    "paragraph_merge_next",
    "paragraph_split",
    "paragraph_set_kind",
    "paragraph_hide",
    "paragraph_show",
]

Actor: TypeAlias = User | AnonymousUser
Errors = dict[str, list[str]]

EDITABLE_FIELDS = ("title", "authors", "affiliation", "year", "language")
INDEXED_FIELDS = {"title", "authors"}  # the index stores them with every record
MAX_LENGTHS = {"title": 500, "affiliation": 500, "language": 8}
MAX_AUTHORS, MAX_AUTHOR_LENGTH = 100, 200
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-zA-Z0-9]{1,4})?$")
# How two merged texts are joined, by the name a form sends.
JOINERS = {"space": " ", "none": "", "newline": "\n"}


# --- documents ----------------------------------------------------------------


def clean_document_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise metadata values (NFC, trimmed; authors a list of
    names). Raises ``ValidationError`` naming each bad field; forms call it
    too, so the admin and the edit page show the same messages."""
    errors: Errors = {}
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            clean[name] = _CLEANERS[name](name, value)
        except ValidationError as error:
            errors[name] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def document_update(*, actor: Actor, document: Document, **fields: Any) -> Document:
    """Change any of a document's ``title``, ``authors``, ``affiliation``,
    ``year`` and ``language``; returns the saved document.

    Curators and admins only. Invalid values raise ``ValidationError`` and
    change nothing; an unknown field name is a ``TypeError`` (a programming
    error). When the title or authors change, every record of the document is
    queued for the index. Values equal to the stored ones are not written, and
    a call that changes nothing logs nothing.
    """
    _require_curator(actor, document)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    clean = clean_document_fields(fields)
    document = _locked_document(document)
    changed = {k: v for k, v in clean.items() if getattr(document, k) != v}
    if not changed:
        return document
    for name, value in changed.items():
        setattr(document, name, value)
    document.save(update_fields=list(changed))
    if INDEXED_FIELDS & changed.keys():
        ids = document.paragraphs.values_list("id", flat=True)
        hooks.paragraphs_changed(list(ids), actor_id=_person(actor))
    summary = f"edited {', '.join(changed)} of {document.display_title}"
    _log(actor, "document-edited", summary, document)
    return document


@dataclass(frozen=True)
class DeletePreview:
    """What deleting a document takes with it (the confirmation page's figures)."""

    records: int
    annotations: int
    annotators: int


def document_delete_preview(document: Document) -> DeletePreview:
    annotations = document.annotations.all()
    return DeletePreview(
        records=document.paragraphs.count(),
        annotations=annotations.count(),
        # order_by(): ordering columns must not join the DISTINCT.
        annotators=annotations.order_by().values("author").distinct().count(),
    )


@transaction.atomic
def document_delete(*, actor: Actor, document: Document) -> DeletePreview:
    """Delete a document with its records and every annotation on it.

    Curators and admins only. The records are queued for removal from the
    index; the activity log keeps one entry naming the document and what went
    with it (not linked to the document, which is gone). Returns those counts.
    """
    _require_curator(actor, document)
    project = document.project
    document = _locked_document(document)
    gone = document_delete_preview(document)
    ids = list(document.paragraphs.values_list("id", flat=True))
    hooks.paragraphs_changed(ids, actor_id=_person(actor))
    hooks.document_deleting(document)
    document.paragraphs.all().delete()
    summary = (
        f"deleted {document.display_title} ({document.source_name}): "
        f"{gone.records} records, {gone.annotations} annotations "
        f"by {gone.annotators} people"
    )
    document.delete()
    _log(actor, "document-deleted", summary, project)
    return gone


# --- records --------------------------------------------------------------------


@transaction.atomic
def paragraph_merge_next(
    *, actor: Actor, paragraph: Paragraph, joiner: str = "space"
) -> Paragraph:
    """Append the next visible record's text to ``paragraph``'s and delete it.

    ``joiner`` names what goes between the texts (``JOINERS``: a space,
    nothing, a line break). The merged record keeps ``paragraph``'s kind,
    label, page and language; the next record's annotations move onto it with
    their offsets shifted by the length of the first text and the joiner.
    Hidden records between the two stay where they are. Raises
    ``ValidationError`` for the last visible record or an unknown joiner.
    """
    _require_curator(actor, paragraph)
    first = _locked_visible(paragraph)
    if joiner not in JOINERS:
        raise ValidationError({"joiner": [f"Unknown joiner “{joiner}”."]})
    after = first.document.paragraphs.visible().filter(position__gt=first.position)
    second = after.order_by("position").first()
    if second is None:
        raise ValidationError(
            {"paragraph": ["This is the last record: there is no next one to merge."]}
        )
    shift = len(first.text) + len(JOINERS[joiner])
    first.text = first.text + JOINERS[joiner] + second.text
    first.save(update_fields=["text"])
    moved = hooks.records_merged(first, second, shift)
    gone_id, gone_position = second.pk, second.position
    second.delete()
    touched = [first.pk, gone_id, *_shift_after(first.document, gone_position, -1)]
    heading = Paragraph.Kind.HEADING in (first.kind, second.kind)
    _finish(actor, first, touched, heading=heading)
    summary = f"merged records {first.position} and {gone_position}"
    _log(actor, "records-merged", f"{summary} ({moved} annotations moved)", first)
    return first


@dataclass(frozen=True)
class SplitPoint:
    """Where a text splits: ``text[:cut]`` and ``text[resume:]``; the spaces
    between them (if any) are dropped."""

    cut: int
    resume: int


def split_point(text: str, offset: int) -> SplitPoint:
    """Validate a split offset (code points) and trim spaces around it.

    >>> split_point("One. Two.", 4)
    SplitPoint(cut=4, resume=5)
    >>> split_point("One. Two.", 9)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    django.core.exceptions.ValidationError: {'offset': ['Choose a point inside...']}
    """
    if not 0 < offset < len(text):
        message = (
            f"Choose a point inside the text: from 1 to {len(text) - 1} (got {offset})."
        )
        raise ValidationError({"offset": [message]})
    if unicodedata.combining(text[offset]):
        raise ValidationError({"offset": ["That point falls inside a character."]})
    cut = len(text[:offset].rstrip())
    resume = len(text) - len(text[offset:].lstrip())
    if cut == 0 or resume == len(text):
        message = "There is only space on one side of that point: nothing to split."
        raise ValidationError({"offset": [message]})
    return SplitPoint(cut, resume)


def text_digest(text: str) -> str:
    """A short fingerprint of a record's text: the split form sends it back, so
    a split computed on an older text is refused instead of cutting elsewhere."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@transaction.atomic
def paragraph_split(
    *,
    actor: Actor,
    paragraph: Paragraph,
    offset: int,
    second_kind: str | None = None,
    digest: str | None = None,
) -> Paragraph:
    """Split ``paragraph`` at ``offset`` (code points; see ``split_point``) into
    itself and a new record right after it; returns the new record.

    The new record has ``second_kind`` (default: the same kind) and the same
    page, language and section; a footnote's label stays on the first part.
    Annotations follow their characters (``annotations_follow_split``): those
    after the point move to the new record, shifted; one across the point is
    divided into two annotations, one on each record. ``digest``, when given,
    must be ``text_digest`` of the current text (else ``ValidationError``).
    """
    _require_curator(actor, paragraph)
    first = _locked_visible(paragraph)
    if digest is not None and digest != text_digest(first.text):
        raise ValidationError({"offset": [_STALE]})
    kind = _valid_kind(second_kind or first.kind)
    point = split_point(first.text, offset)
    old_text = first.text
    touched = [first.pk, *_shift_after(first.document, first.position, +1)]
    second = _new_record_after(first, old_text[point.resume :], kind)
    first.text = old_text[: point.cut]
    first.save(update_fields=["text"])
    outcome = hooks.record_split(first, second, old_text, point.cut, point.resume)
    heading = Paragraph.Kind.HEADING in (first.kind, kind)
    _finish(actor, first, [*touched, second.pk], heading=heading)
    summary = (
        f"split record {first.position} at character {offset} "
        f"({outcome.moved} annotations moved, {outcome.divided} divided"
        f"{f', {outcome.orphaned} orphaned' if outcome.orphaned else ''})"
    )
    _log(actor, "record-split", summary, first)
    return second


@transaction.atomic
def paragraph_set_kind(*, actor: Actor, paragraph: Paragraph, kind: str) -> Paragraph:
    """Make ``paragraph`` a heading, paragraph, footnote, reference or meta
    record (``ValidationError`` for anything else). Sections are recomputed
    when it becomes or stops being a heading."""
    _require_curator(actor, paragraph)
    record = _locked_visible(paragraph)
    kind = _valid_kind(kind)
    if record.kind == kind:
        return record
    before, record.kind = record.kind, kind
    record.save(update_fields=["kind"])
    _finish(
        actor, record, [record.pk], heading=Paragraph.Kind.HEADING in (before, kind)
    )
    summary = f"record {record.position}: {before} → {kind}"
    _log(actor, "kind-changed", summary, record)
    return record


@transaction.atomic
def paragraph_hide(*, actor: Actor, paragraph: Paragraph) -> Paragraph:
    """Hide a record as furniture: it leaves the reading page, the index,
    exports and agreement, keeping its place, text and annotations, until
    ``paragraph_show``. A hidden heading no longer opens a section."""
    return _set_hidden(actor, paragraph, hidden=True)


@transaction.atomic
def paragraph_show(*, actor: Actor, paragraph: Paragraph) -> Paragraph:
    """Undo ``paragraph_hide``: the record is read, searched and exported again."""
    return _set_hidden(actor, paragraph, hidden=False)


# --- helpers --------------------------------------------------------------------

_STALE = "This record changed since the page was loaded; reload it and try again."


def _require_curator(actor: Actor, at: Document | Paragraph) -> None:
    document = at.document if isinstance(at, Paragraph) else at
    if not can_curate(actor, document.project):
        raise PermissionDenied("Only curators and admins curate documents.")


def _log(
    actor: Actor, verb: str, summary: str, at: Document | Paragraph | Project
) -> None:
    """The project's activity log (through the hook: the log is annotations')."""
    document = at.document if isinstance(at, Paragraph) else at
    project = document if isinstance(document, Project) else document.project
    hooks.curated(
        project,
        actor if isinstance(actor, User) else None,
        verb,
        summary,
        document=document if isinstance(document, Document) else None,
        paragraph=at if isinstance(at, Paragraph) else None,
    )


def _locked_document(document: Document) -> Document:
    found = Document.objects.select_for_update().filter(pk=document.pk).first()
    if found is None:
        raise ValidationError({"document": ["This document no longer exists."]})
    return found


def _locked_visible(paragraph: Paragraph) -> Paragraph:
    """The record, re-read under the document's lock; refused once hidden."""
    record = _locked_record(paragraph)
    if record.hidden:
        message = "This record is hidden; show it again before correcting it."
        raise ValidationError({"paragraph": [message]})
    return record


def _locked_record(paragraph: Paragraph) -> Paragraph:
    _locked_document(Document(pk=paragraph.document_id))
    record = (
        Paragraph.objects.select_for_update()
        .select_related("document")
        .filter(pk=paragraph.pk)
        .first()
    )
    if record is None:
        raise ValidationError({"paragraph": [_STALE]})
    return record


def _valid_kind(kind: str) -> str:
    if kind not in Paragraph.Kind.values:
        kinds = ", ".join(Paragraph.Kind.values)
        raise ValidationError({"kind": [f"Unknown kind “{kind}” (one of: {kinds})."]})
    return kind


def _set_hidden(actor: Actor, paragraph: Paragraph, *, hidden: bool) -> Paragraph:
    _require_curator(actor, paragraph)
    record = _locked_record(paragraph)
    if record.hidden == hidden:
        return record
    record.hidden = hidden
    record.save(update_fields=["hidden"])
    _finish(actor, record, [record.pk], heading=record.kind == Paragraph.Kind.HEADING)
    verb = "record-hidden" if hidden else "record-shown"
    summary = (
        f"{'hid' if hidden else 'showed'} record {record.position} ({record.kind})"
    )
    _log(actor, verb, summary, record)
    return record


def _new_record_after(first: Paragraph, text: str, kind: str) -> Paragraph:
    return Paragraph.objects.create(
        document=first.document,
        position=first.position + 1,
        kind=kind,
        section=first.section,
        page=first.page,
        lang=first.lang,
        text=text,
    )


def _shift_after(document: Document, position: int, delta: int) -> list[int]:
    """Move every record after ``position`` by ``delta``; returns their ids.

    Two updates through a parking range above every current and final
    position: a single ``position + delta`` update would collide with a
    neighbour mid-statement (unique constraints are checked row by row).
    """
    rows = document.paragraphs.filter(position__gt=position)
    ids = list(rows.values_list("id", flat=True))
    if ids:
        top = document.paragraphs.aggregate(top=Max("position"))["top"]
        parking = top + abs(delta) + 1
        moving = Paragraph.objects.filter(id__in=ids)
        moving.update(position=F("position") + parking)
        moving.update(position=F("position") - parking + delta)
    return ids


def _finish(
    actor: Actor, record: Paragraph, touched: Iterable[int], *, heading: bool
) -> None:
    """Recompute sections if a heading was involved, then queue the index
    (as the actor's change: their next search waits for it)."""
    ids = set(touched)
    if heading:
        ids.update(_recompute_sections(record.document))
    hooks.paragraphs_changed(sorted(ids), actor_id=_person(actor))


def _person(actor: Actor) -> int | None:
    """The signed-in person's id (None for an anonymous actor)."""
    return actor.pk if isinstance(actor, User) else None


def _recompute_sections(document: Document) -> list[int]:
    """Each record's section: the text of the last visible heading up to it
    (ingestion's rule). Saves and returns the records whose section changed."""
    section, changed = "", []
    for record in document.paragraphs.order_by("position"):
        if record.kind == Paragraph.Kind.HEADING and not record.hidden:
            section = record.text
        if record.section != section:
            record.section = section
            changed.append(record)
    Paragraph.objects.bulk_update(changed, ["section"], batch_size=500)
    return [record.pk for record in changed]


# --- metadata cleaners ----------------------------------------------------------


def _clean_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"Must be text, not {type(value).__name__}.")
    text = unicodedata.normalize("NFC", _printable(value)).strip()
    limit = MAX_LENGTHS.get(name, MAX_AUTHOR_LENGTH)
    if len(text) > limit:
        raise ValidationError(
            f"Too long: {len(text):,} characters (at most {limit:,})."
        )
    return " ".join(text.split())  # one line: titles and names never wrap


def _printable(text: str) -> str:
    """Refuse what the database or a reader cannot take: NUL and other control
    characters, and lone surrogates (not text; they cannot be stored)."""
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValidationError("Contains an invalid character (a lone surrogate).")
        if category == "Cc" and char not in "\t\n\r":
            raise ValidationError(
                f"Contains a control character (U+{ord(char):04X}); remove it."
            )
    return text


def _clean_authors(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationError("Must be a list of names.")
    if len(value) > MAX_AUTHORS:
        raise ValidationError(f"Too many names: {len(value)} (at most {MAX_AUTHORS}).")
    names = [_clean_text("author", each) for each in value]
    return [each for each in names if each]


def _clean_year(name: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10000:
        raise ValidationError("A year is a whole number from 1 to 9999.")
    return value


def _clean_language(name: str, value: Any) -> str:
    code = _clean_text(name, value).lower()
    if code and not LANGUAGE_CODE.match(code):
        raise ValidationError("A language code such as “en”, “fr” or “fr-ca”.")
    return code


_CLEANERS = {
    "title": _clean_text,
    "affiliation": _clean_text,
    "authors": _clean_authors,
    "year": _clean_year,
    "language": _clean_language,
}


# --- reads for the correction pages -----------------------------------------------

SENTENCE_END = re.compile(r"(?<=[.!?:;])[\"'”’)\]]*\s+|\n+")
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class SplitCandidate:
    """A likely split point (a sentence or line boundary) with the text around it."""

    offset: int
    before: str
    after: str


def split_candidates(text: str, width: int = 40) -> list[SplitCandidate]:
    """Sentence ends and line breaks inside ``text``, as split offsets (the
    start of what follows), at most ``MAX_CANDIDATES``.

    >>> [c.offset for c in split_candidates("One. Two? Three\\nFour")]
    [5, 10, 16]
    """
    found = []
    for match in SENTENCE_END.finditer(text):
        offset = match.end()
        if 0 < offset < len(text):
            before = text[max(0, offset - width) : match.start()]
            found.append(SplitCandidate(offset, before, text[offset : offset + width]))
        if len(found) == MAX_CANDIDATES:
            break
    return found


@dataclass(frozen=True)
class SplitPreview:
    """The two texts a split would give and what happens to annotations."""

    first: str
    second: str
    moving: int
    dividing: int


def split_preview(paragraph: Paragraph, offset: int) -> SplitPreview:
    """What ``paragraph_split`` would do at ``offset`` (ValidationError as it)."""
    point = split_point(paragraph.text, offset)
    spans = paragraph.annotations.values_list("start", "end")
    moving = sum(1 for start, _ in spans if start >= point.cut)
    dividing = sum(1 for s, e in spans if s < point.cut and e > point.resume)
    text = paragraph.text
    return SplitPreview(text[: point.cut], text[point.resume :], moving, dividing)
