"""What an activity entry remembers so that an undo can restore exactly.

Each function reads one row into a JSON-ready dict (ids as ints, times as ISO
strings); ``annotations.services`` stores them in ``Activity.snapshot`` and
``annotations.undo`` compares and restores them. Comparing a row's current
state with the one stored after a change tells whether it moved on since.
"""

from __future__ import annotations

from typing import Any

from annotations.models import Annotation, Memo, TaggedAnnotation, Theme

State = dict[str, Any]

ANNOTATION_FIELDS = (
    "id",
    "document_id",
    "paragraph_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "note",
    "author_id",
    "orphaned",
    "source_id",
    "last_position",
)
THEME_FIELDS = (
    "id",
    "project_id",
    "name",
    "slug",
    "description",
    "inclusion",
    "exclusion",
    "colour",
    "retired",
    "parent_id",
    "position",
)
MEMO_FIELDS = ("id", "project_id", "author_id", "text", "annotation_id", "theme_id")


def _fields(row: object, names: tuple[str, ...]) -> State:
    return {name: getattr(row, name) for name in names}


def annotation_state(annotation: Annotation) -> State:
    """The annotation's span, text, note, author and themes (sorted ids)."""
    state = _fields(annotation, ANNOTATION_FIELDS)
    state["created"] = annotation.created.isoformat()
    rows = TaggedAnnotation.objects.filter(content_object_id=annotation.pk)
    state["themes"] = sorted(rows.values_list("tag_id", flat=True))
    return state


def theme_state(theme: Theme) -> State:
    """Every field of the theme, its GUID and creation time included."""
    state = _fields(theme, THEME_FIELDS)
    state["guid"] = str(theme.guid)
    state["created"] = theme.created.isoformat()
    return state


def memo_state(memo: Memo) -> State:
    state = _fields(memo, MEMO_FIELDS)
    state["document_id"] = memo.document_id
    state["guid"] = str(memo.guid)
    state["created"] = memo.created.isoformat()
    state["updated"] = memo.updated.isoformat()
    return state


def memos_on(**subject: object) -> list[State]:
    """The memos a deletion would take with it (``theme=…`` or ``annotation=…``)."""
    return [memo_state(memo) for memo in Memo.objects.filter(**subject).order_by("pk")]
