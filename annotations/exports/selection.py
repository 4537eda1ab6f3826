"""What an export contains: the excerpts matching some filters, as rows.

``export_rows(filters, base_url=...)`` reads annotations with their paragraph,
document, author and themes, in reading order, with ``.iterator(chunk_size)`` so memory
stays flat however many excerpts match. Each row carries everything a citation
needs and document-level offsets (a document's plain text is its paragraphs'
texts joined by ``"\\n\\n"``; REFI-QDA and W3C positions count into that).
Rows of one document share one ``DocumentInfo`` (with that plain text), built
when the document is first met and dropped when the next one starts. A row's
``link`` is absolute (a spreadsheet or another program opens it as is): the
export page passes the address the person is using, the command line
``settings.GLOSS_BASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import Project
from annotations import rounds
from annotations.adjudication import agreed_codings, consensus_codings
from annotations.models import (
    Annotation,
    ConsensusDecision,
    Memo,
    TaggedAnnotation,
    Theme,
)
from annotations.selectors import annotations_filtered, display_name
from corpus.models import Document, Paragraph

CHUNK_SIZE = 2000
SEPARATOR = "\n\n"
ANNOTATION_IRI = "urn:gloss:annotation:"
USER_IRI = "urn:gloss:user:"
CONSENSUS_IRI = "urn:gloss:consensus:"
CODERS, CONSENSUS = "coders", "consensus"
LAYERS = (CODERS, CONSENSUS)


@dataclass(frozen=True)
class ExportFilters:
    """Validated filters; empty means "any" within ``project`` (and no
    project, nothing)."""

    project: Project | None
    themes: tuple[Theme, ...] = ()
    users: tuple[User, ...] = ()
    documents: tuple[Document, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    paragraph_ids: frozenset[int] | None = None  # from a search query
    # Who exports: a blind round's coder gets only their own annotations on
    # its documents (annotations.rounds); None (the command): everything.
    viewer: User | None = None
    # "coders": the annotations; "consensus": the settled units
    # (annotations.adjudication), and with ``agreed`` the units all coders agreed on.
    layer: str = "coders"
    agreed: bool = False


@dataclass(frozen=True)
class ThemeInfo:
    name: str
    slug: str
    guid: str
    colour: str
    description: str
    parent_guid: str = ""  # the code hierarchy; empty at the top level


@dataclass(frozen=True)
class MemoInfo:
    """A memo for REFI-QDA ``<Notes>``: ``subject`` is ``theme``, ``document``,
    ``passage`` or ``project``; ``subject_guid`` the subject's export GUID."""

    guid: str
    text: str
    username: str
    author: str
    created: dt.datetime
    subject: str
    subject_guid: str


@dataclass
class DocumentInfo:
    iri: str
    slug: str
    source_name: str
    title: str
    authors: list[str]
    year: int | None
    url: str
    content_hash: str
    text: str
    offsets: dict[int, int]  # paragraph position -> document-level offset

    @property
    def guid(self) -> str:
        """A stable REFI-QDA GUID for the document as a text source."""
        return document_guid(self.iri)


@dataclass(frozen=True)
class ExportRow:
    """One excerpt with its citation."""

    id: str
    quote: str
    prefix: str
    suffix: str
    note: str
    themes: tuple[ThemeInfo, ...]
    username: str
    author: str
    created: dt.datetime
    updated: dt.datetime
    document: DocumentInfo
    section: str
    position: int
    page: int | None
    context: str
    start: int
    end: int
    link: str

    @property
    def document_start(self) -> int:
        return self.document.offsets[self.position] + self.start

    @property
    def document_end(self) -> int:
        return self.document.offsets[self.position] + self.end


@dataclass
class ExportRows:
    """The rows (an iterator, consumed once) and the codebook beside them."""

    rows: Iterable[ExportRow]
    codebook: list[ThemeInfo] = field(default_factory=list)
    memos: list[MemoInfo] = field(default_factory=list)

    def __iter__(self) -> Iterator[ExportRow]:
        return iter(self.rows)


def export_rows(filters: ExportFilters, base_url: str | None = None) -> ExportRows:
    """The matching excerpts in reading order, and the whole codebook; links
    start with ``base_url`` (default: ``settings.GLOSS_BASE_URL``)."""
    themes = Theme.objects.filter(project=filters.project).select_related("parent")
    codebook = [theme_info(theme) for theme in themes.order_by("name")]
    base = settings.GLOSS_BASE_URL if base_url is None else base_url
    rows = (
        consensus_rows(filters, base.rstrip("/"))
        if filters.layer == CONSENSUS
        else _rows(matching(filters), base.rstrip("/"))
    )
    return ExportRows(
        rows,
        codebook,
        memo_infos(filters.project),
    )


def memo_infos(project: Project | None) -> list[MemoInfo]:
    """The project's memos, oldest first; writers keep those whose subject
    they wrote."""
    memos = Memo.objects.filter(project=project).select_related(
        "author", "theme", "document"
    )
    return [_memo_info(memo) for memo in memos.order_by("created", "pk")]


def _memo_info(memo: Memo) -> MemoInfo:
    subject, guid = "project", ""
    if memo.theme is not None:
        subject, guid = "theme", str(memo.theme.guid)
    elif memo.document is not None:
        subject, guid = "document", document_guid(memo.document.iri)
    elif memo.annotation_id is not None:
        subject, guid = "passage", guid_for(f"{ANNOTATION_IRI}{memo.annotation_id}")
    return MemoInfo(
        str(memo.guid),
        memo.text,
        memo.author.get_username(),
        display_name(memo.author),
        memo.created,
        subject,
        guid,
    )


def matching(filters: ExportFilters) -> QuerySet[Annotation]:
    """Anchored annotations matching ``filters``, in reading order."""
    # Annotations on hidden records (furniture) leave exports with the record.
    rows = Annotation.objects.in_project(filters.project).anchored()
    rows = rows.filter(paragraph__hidden=False)
    if filters.viewer is not None:
        rows = rounds.visible_annotations(rows, filters.viewer, filters.project)
    return annotations_filtered(
        rows.select_related("author", "paragraph", "document"),
        documents=filters.documents,
        paragraph_ids=filters.paragraph_ids,
        themes=filters.themes,
        authors=filters.users,
        since=filters.since,
        until=filters.until,
    )


def theme_info(theme: Theme) -> ThemeInfo:
    parent = str(theme.parent.guid) if theme.parent else ""
    return ThemeInfo(
        theme.name, theme.slug, str(theme.guid), theme.colour, theme.description, parent
    )


def document_info(document: Document) -> DocumentInfo:
    """Citation fields, plain text and paragraph offsets of one document."""
    # The plain text of what readers see: hidden records are not part of it.
    visible = document.paragraphs.visible().order_by("position")
    texts = visible.values_list("position", "text")
    offsets, parts, offset = {}, [], 0
    for position, text in texts:
        offsets[position] = offset
        parts.append(text)
        offset += len(text) + len(SEPARATOR)
    return DocumentInfo(
        iri=document.iri,
        slug=document.slug,
        source_name=document.source_name,
        title=document.display_title,
        authors=list(document.authors or []),
        year=document.year,
        url=document.get_absolute_url(),
        content_hash=document.content_hash,
        text=SEPARATOR.join(parts),
        offsets=offsets,
    )


def _rows(annotations: QuerySet[Annotation], base_url: str) -> Iterator[ExportRow]:
    current: DocumentInfo | None = None
    themes: dict[int, ThemeInfo] = {}
    stream = annotations.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(stream, CHUNK_SIZE)):
        tags = _themes_of([a.pk for a in chunk], themes)
        for annotation in chunk:
            if current is None or current.iri != annotation.document.iri:
                current = document_info(annotation.document)
            yield _row(annotation, current, tags.get(annotation.pk, ()), base_url)


def _themes_of(
    ids: list[int], known: dict[int, ThemeInfo]
) -> dict[int, tuple[ThemeInfo, ...]]:
    """Themes of a chunk of annotations in one query, by name.

    (taggit's own prefetch runs a query per annotation.)
    """
    found: dict[int, list[ThemeInfo]] = {}
    rows = TaggedAnnotation.objects.filter(content_object_id__in=ids).select_related(
        "tag"
    )
    for tagged in rows:
        if tagged.tag_id not in known:
            known[tagged.tag_id] = theme_info(tagged.tag)
        found.setdefault(tagged.content_object_id, []).append(known[tagged.tag_id])
    return {
        pk: tuple(sorted(infos, key=lambda t: t.name)) for pk, infos in found.items()
    }


def _row(
    annotation: Annotation,
    document: DocumentInfo,
    themes: tuple[ThemeInfo, ...],
    base_url: str,
) -> ExportRow:
    paragraph: Paragraph = annotation.paragraph  # type: ignore[assignment]
    return ExportRow(
        id=f"{ANNOTATION_IRI}{annotation.pk}",
        quote=annotation.quote,
        prefix=annotation.prefix,
        suffix=annotation.suffix,
        note=annotation.note,
        themes=themes,
        username=annotation.author.get_username(),
        author=display_name(annotation.author),
        created=annotation.created,
        updated=annotation.updated,
        document=document,
        section=paragraph.section,
        position=paragraph.position,
        page=paragraph.page,
        context=paragraph.text,
        start=annotation.start,
        end=annotation.end,
        link=f"{base_url}{document.url}?hl={paragraph.position}#{paragraph.anchor}",
    )


def citation(row: ExportRow) -> str:
    """A human citation: authors, title, section, paragraph, page.

    Authors (year), *Title*, § Section, ¶ 12, p. 3 — only the known parts.
    """
    doc = row.document
    authors = "; ".join(doc.authors)
    head = f"{authors} ({doc.year})" if authors and doc.year else authors
    parts = [head, doc.title]
    if row.section:
        parts.append(f"§ {row.section}")
    parts.append(f"¶ {row.position}")
    if row.page is not None:
        parts.append(f"p. {row.page}")
    return ", ".join(part for part in parts if part)


def document_guid(iri: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


def user_guid(username: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{USER_IRI}{username}"))


def guid_for(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, ":".join(parts)))


# --- the consensus layer -------------------------------------------------------
# One row per settled unit and theme (a whole paragraph), the decider its
# author; with ``filters.agreed`` also each unit and theme every coder applied.
AGREED_USERNAME, AGREED_AUTHOR = "agreed", "All coders (agreed)"
# (decision or None for an agreed unit, paragraph, theme, when)
Unit = tuple[ConsensusDecision | None, Paragraph, Theme, dt.datetime]


def consensus_rows(filters: ExportFilters, base_url: str) -> Iterator[ExportRow]:
    """The consensus layer's rows matching ``filters`` in reading order:
    themes, documents, search hits and the decision's date and decider."""
    units: list[Unit] = [
        (d, d.paragraph, d.theme, d.decided_at) for d in _decisions(filters)
    ]
    if filters.agreed and not filters.users:
        agreed = agreed_codings(filters.project)
        units += [(None, *unit) for unit in agreed if _keeps(filters, *unit)]
    units.sort(key=lambda u: (u[1].document.source_name, u[1].position, u[2].name))
    documents: dict[int, DocumentInfo] = {}
    for decision, paragraph, theme, when in units:
        if paragraph.document_id not in documents:
            documents.clear()  # one document's text at a time
            documents[paragraph.document_id] = document_info(paragraph.document)
        info = documents[paragraph.document_id]
        yield _consensus_row(decision, paragraph, theme, when, info, base_url)


def _decisions(filters: ExportFilters) -> QuerySet[ConsensusDecision]:
    rows = consensus_codings(filters.project)
    if filters.themes:
        rows = rows.filter(theme__in=filters.themes)
    if filters.users:
        rows = rows.filter(decided_by__in=filters.users)
    if filters.documents:
        rows = rows.filter(paragraph__document__in=filters.documents)
    if filters.paragraph_ids is not None:
        rows = rows.filter(paragraph_id__in=filters.paragraph_ids)
    if filters.since is not None:
        rows = rows.filter(decided_at__date__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(decided_at__date__lte=filters.until)
    return rows


def _keeps(
    filters: ExportFilters, paragraph: Paragraph, theme: Theme, when: dt.datetime
) -> bool:
    """Whether an agreed unit passes the filters; its date (the last coder's
    annotation) is not a decision's, so a date filter leaves it out."""
    return (
        (not filters.themes or theme in filters.themes)
        and (not filters.documents or paragraph.document in filters.documents)
        and (filters.paragraph_ids is None or paragraph.pk in filters.paragraph_ids)
        and filters.since is None
        and filters.until is None
    )


def _consensus_row(
    decision: ConsensusDecision | None,
    paragraph: Paragraph,
    theme: Theme,
    when: dt.datetime,
    document: DocumentInfo,
    base_url: str,
) -> ExportRow:
    if decision is None:
        ident = f"{CONSENSUS_IRI}agreed:{paragraph.pk}:{theme.pk}"
        username, author, note = AGREED_USERNAME, AGREED_AUTHOR, ""
    else:
        ident = f"{CONSENSUS_IRI}{decision.pk}"
        username = decision.decided_by.get_username()
        author, note = display_name(decision.decided_by), decision.note
    return ExportRow(
        id=ident,
        quote=paragraph.text,
        prefix="",
        suffix="",
        note=note,
        themes=(theme_info(theme),),
        username=username,
        author=author,
        created=when,
        updated=when,
        document=document,
        section=paragraph.section,
        position=paragraph.position,
        page=paragraph.page,
        context=paragraph.text,
        start=0,
        end=len(paragraph.text),
        link=f"{base_url}{document.url}?hl={paragraph.position}#{paragraph.anchor}",
    )
