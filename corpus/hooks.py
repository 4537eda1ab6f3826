"""How the corpus tells the apps above it what changed, in the same transaction.

The corpus sits below search and annotations (DESIGN.md, layering): it must
not import them, yet they must follow its writes. So each registers a
listener when Django starts (its ``AppConfig.ready``), and the corpus's
services call the hooks below inside their own transaction, so whatever a
listener writes commits or rolls back with the change:

- ``paragraphs_changed``: records whose text, metadata or visibility changed,
  or that were deleted (search re-indexes them); ``batch``: many writes in a
  row, to index once at the end;
- ``records_replacing`` / ``records_replaced``: a re-ingest is about to
  delete a document's records / has stored the new ones (annotations detach,
  then re-anchor by quote);
- ``records_merged``, ``record_split``, ``document_deleting``: curation of
  records (annotations follow their characters, or go with the document);
- ``curated``: a curation to write in the project's activity log.

With nothing registered (the corpus alone), each hook does nothing and
reports zero.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from accounts.models import Project
    from corpus.models import Document, Paragraph


@dataclass(frozen=True)
class SplitOutcome:
    """What a split did to the record's annotations."""

    moved: int = 0  # now on the second record
    divided: int = 0  # crossed the split point: one part on each record
    orphaned: int = 0  # covered nothing but the spaces dropped at the point


@dataclass(frozen=True)
class Orphan:
    """An annotation a new version left without a place (kept, flagged)."""

    id: int
    quote: str


class IndexListener(Protocol):
    def paragraphs_changed(
        self, paragraph_ids: Collection[int], actor_id: int | None = None
    ) -> None: ...

    def batch(self) -> AbstractContextManager[None]: ...


class RecordsListener(Protocol):
    def records_replacing(self, document: Document) -> None: ...

    def records_replaced(self, document: Document) -> int: ...

    def orphans(self, document: Document) -> Sequence[Orphan]: ...

    def records_merged(self, into: Paragraph, source: Paragraph, shift: int) -> int: ...

    def record_split(
        self, first: Paragraph, second: Paragraph, old_text: str, cut: int, resume: int
    ) -> SplitOutcome: ...

    def document_deleting(self, document: Document) -> int: ...

    def curated(
        self,
        project: Project,
        actor: User | None,
        verb: str,
        summary: str,
        document: Document | None,
        paragraph: Paragraph | None,
    ) -> None: ...


_index: list[IndexListener] = []
_records: list[RecordsListener] = []


def register_index(listener: IndexListener) -> None:
    if listener not in _index:
        _index.append(listener)


def register_records(listener: RecordsListener) -> None:
    if listener not in _records:
        _records.append(listener)


def paragraphs_changed(
    paragraph_ids: Collection[int], *, actor_id: int | None = None
) -> None:
    """``actor_id``: the person whose edit this is (their next search waits
    for it; None for a command's or an ingest's changes)."""
    ids = sorted(set(paragraph_ids))
    if ids:
        for listener in _index:
            listener.paragraphs_changed(ids, actor_id)


@contextmanager
def batch() -> Iterator[None]:
    """Many writes in a row (``manage.py ingest`` of a folder): each index
    listener may gather their changes and apply them once at the end."""
    with ExitStack() as stack:
        for listener in _index:
            stack.enter_context(listener.batch())
        yield


def records_replacing(document: Document) -> None:
    for listener in _records:
        listener.records_replacing(document)


def records_replaced(document: Document) -> int:
    """How many annotations found their place again."""
    return sum(listener.records_replaced(document) for listener in _records)


def orphans(document: Document) -> tuple[Orphan, ...]:
    return tuple(o for listener in _records for o in listener.orphans(document))


def records_merged(into: Paragraph, source: Paragraph, shift: int) -> int:
    return sum(listener.records_merged(into, source, shift) for listener in _records)


def record_split(
    first: Paragraph, second: Paragraph, old_text: str, cut: int, resume: int
) -> SplitOutcome:
    outcomes = [
        listener.record_split(first, second, old_text, cut, resume)
        for listener in _records
    ]
    return SplitOutcome(
        moved=sum(o.moved for o in outcomes),
        divided=sum(o.divided for o in outcomes),
        orphaned=sum(o.orphaned for o in outcomes),
    )


def document_deleting(document: Document) -> int:
    """How many annotations go with the document."""
    return sum(listener.document_deleting(document) for listener in _records)


def curated(  # noqa: PLR0913 - one log entry's fields
    project: Project,
    actor: User | None,
    verb: str,
    summary: str,
    document: Document | None = None,
    paragraph: Paragraph | None = None,
) -> None:
    for listener in _records:
        listener.curated(project, actor, verb, summary, document, paragraph)
