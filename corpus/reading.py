"""Arrange a document's records for the reading page.

Records keep their order, with two groupings so the page reads like a paper:
runs of consecutive footnotes become one aside, runs of consecutive references
one list. Meta records (by-lines, running heads) are lifted to the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.models import Paragraph

GROUPED = {Paragraph.Kind.FOOTNOTE, Paragraph.Kind.REFERENCE}


@dataclass
class Block:
    """One unit of the page: a heading, a paragraph, or a run of one grouped kind.

    ``level`` is the heading level: 2 for a heading that names its own section
    (or has none), 3 for a heading inside another section.
    """

    kind: str
    records: list[Paragraph] = field(default_factory=list)
    level: int = 2


@dataclass
class ReadingPage:
    meta: list[Paragraph]
    blocks: list[Block]


def reading_page(records: Iterable[Paragraph]) -> ReadingPage:
    page = ReadingPage(meta=[], blocks=[])
    for record in records:
        if record.kind == Paragraph.Kind.META:
            page.meta.append(record)
        elif (
            record.kind in GROUPED
            and page.blocks
            and page.blocks[-1].kind == record.kind
        ):
            page.blocks[-1].records.append(record)
        else:
            page.blocks.append(Block(record.kind, [record], _level(record)))
    return page


def _level(record: Paragraph) -> int:
    if record.kind != Paragraph.Kind.HEADING:
        return 2
    return 2 if record.section.strip() in ("", record.text.strip()) else 3
