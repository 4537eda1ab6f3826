"""Every write of the annotations app: annotations, the codebook, memos and
re-anchoring.

Each public service is keyword-only, runs inside ``transaction.atomic``,
checks that the acting user may do it (``PermissionDenied`` otherwise; views
check first too, this is the backstop), and raises ``ValidationError`` with a
``{field: [message]}`` dict whose messages can be shown to people as they are.
Services that change which themes a paragraph carries call
``search_sync.paragraphs_changed`` in the same transaction and write an
``Activity`` entry, so the log and the index notice commit with the change.

Concurrency: a new annotation is its own row, so two people tagging the same
paragraph at once both land. Rows read and then written (the annotation being
edited, the themes being merged, the paragraph being annotated) are locked
with ``SELECT … FOR NO KEY UPDATE`` on PostgreSQL (see ``_for_change``); on
SQLite the database lock does the same. Theme rows are always locked in
primary-key order (no deadlocks).

Versions (no lost updates): every write of an annotation or a theme claims its
next ``version`` with a conditional ``UPDATE … WHERE version = <read>``; a
caller that passes the ``version`` it read gets ``VersionConflict`` (and
nothing is written) when someone else wrote meanwhile.

Live updates: a write of annotations locks their document's row first (the
order curation uses: document, record, annotation) and adds one
``AnnotationChange`` per annotation, so the change ids of one document grow in
commit order (``annotations.live`` reads them).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from accounts import roles
from accounts.models import Project
from annotations import hierarchy, search_sync
from annotations.anchoring import Anchor, Quote, locate, quote_at, split_span
from annotations.consensus import consensus_follow_merge
from annotations.models import (
    CODEBOOK_ORDER,
    NOTE_MAX_LENGTH,
    Activity,
    ActivityTheme,
    Annotation,
    AnnotationChange,
    Memo,
    Origin,
    TaggedAnnotation,
    Theme,
)
from annotations.snapshots import annotation_state, memos_on, theme_state
from corpus.hooks import SplitOutcome
from corpus.models import Document, Paragraph

BULK_MAX_ITEMS = 500
Errors = dict[str, list[str]]
Versioned = Annotation | Theme


class VersionConflict(Exception):
    """The row changed since the caller read it: ``expected`` was the caller's
    version, ``current`` is the row as it is now (re-read). Nothing changed."""

    def __init__(self, current: Versioned, expected: int) -> None:
        what = "annotation" if isinstance(current, Annotation) else "theme"
        super().__init__(
            f"Someone else changed this {what} since you opened it (your version "
            f"{expected}, now version {current.version}). Nothing was saved."
        )
        self.current, self.expected = current, expected


def _bump(row: Versioned, expected: int | None = None) -> None:
    """Claim ``row``'s next version (``row`` was read just before).

    With ``expected`` (the version the caller's page or request was made
    from), a different stored version is a conflict. The claim itself is a
    conditional UPDATE, so it holds without row locks too: of two writers that
    read the same version, the second updates nothing and conflicts.
    """
    if expected is not None and row.version != expected:
        raise VersionConflict(row, expected)
    rows = type(row).objects.filter(pk=row.pk, version=row.version)
    if not rows.update(version=F("version") + 1):
        raise VersionConflict(type(row).objects.get(pk=row.pk), row.version)
    row.version += 1


def _lock_documents(document_ids: Iterable[int]) -> None:
    """Lock the documents' rows, in key order: writers of one document's
    annotations then commit one after another (the change cursor's order)."""
    rows = _for_change(Document.objects).filter(pk__in=set(document_ids))
    list(rows.values_list("pk", flat=True))


def _changed(annotations: Iterable[Annotation], kind: str) -> None:
    """One live-update change per annotation (its document is locked)."""
    AnnotationChange.objects.bulk_create(
        AnnotationChange(document_id=a.document_id, annotation_id=a.pk, kind=kind)
        for a in annotations
    )


# --- annotations ------------------------------------------------------------


@transaction.atomic
def annotation_create(
    *,
    author: User,
    paragraph: Paragraph,
    start: int,
    end: int,
    themes: Sequence[str],
    note: str = "",
    quote: str | None = None,
    origin: str = Origin.MANUAL,
) -> Annotation:
    """Tag ``paragraph.text[start:end]`` with ``themes`` (slugs) for ``author``.

    ``quote``, when given, must equal the text at that span: it catches a page
    that is older than the text. At least one known, non-retired theme.
    ``origin`` says how it was made (the reader, a search result's tag button).
    """
    project = _project_of(paragraph.document_id)
    _require(roles.can_annotate(author, project), "Only annotators can annotate.")
    _lock_documents([paragraph.document_id])
    paragraph = _locked_paragraph(paragraph.pk)
    errors: Errors = {}
    found = _resolve_themes(project, themes, errors)
    _check_span(paragraph.text, start, end, quote, errors)
    note = _clean_note(note, errors)
    if origin not in Origin.values:
        errors.setdefault("origin", []).append("Unknown origin.")
    _raise_if(errors)
    annotation = Annotation(author=author, note=note, origin=origin)
    _place(annotation, paragraph, start, end)
    annotation.save()
    annotation.themes.set(found)
    _changed([annotation], AnnotationChange.Kind.CREATED)
    _log(
        project,
        author,
        Activity.Verb.ANNOTATED,
        _describe(annotation, found),
        annotation,
        snapshot={"after": annotation_state(annotation)},
        themes=[theme.pk for theme in found],
    )
    _notify([paragraph.pk], author)
    return annotation


@transaction.atomic
def annotation_update(
    *,
    actor: User,
    annotation: Annotation,
    themes: Sequence[str] | None = None,
    note: str | None = None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    version: int | None = None,
) -> Annotation:
    """Change an annotation's themes, note and/or span (None = unchanged).

    The author (an annotator) or a curator may. Themes already on the
    annotation may stay even when retired; newly added ones must be active.
    With ``version`` (what the caller read), a newer stored version raises
    ``VersionConflict`` and nothing changes; without, the last write wins.
    """
    _lock_documents([annotation.document_id])
    annotation = _for_change(Annotation.objects).get(pk=annotation.pk)
    project = _project_of(annotation.document_id)
    _require(
        roles.can_change_annotation(actor, project, annotation),
        "You may edit only your own annotations.",
    )
    before = annotation_state(annotation)
    errors: Errors = {}
    found = None
    if themes is not None:
        kept = set(annotation.themes.values_list("pk", flat=True))
        found = _resolve_themes(project, themes, errors, allow_retired=kept)
    if note is not None:
        annotation.note = _clean_note(note, errors)
    if start is not None or end is not None:
        _move(annotation, start, end, quote, errors)
    _raise_if(errors)
    _bump(annotation, version)
    annotation.save()
    if found is not None:
        annotation.themes.set(found)
    _changed([annotation], AnnotationChange.Kind.EDITED)
    summary = _describe(annotation, list(annotation.themes.all()))
    after = annotation_state(annotation)
    _log(
        project,
        actor,
        Activity.Verb.EDITED,
        summary,
        annotation,
        snapshot={"before": before, "after": after},
        themes=[*before["themes"], *after["themes"]],
    )
    _notify([annotation.paragraph_id], actor)
    return annotation


@transaction.atomic
def annotation_delete(
    *, actor: User, annotation: Annotation, version: int | None = None
) -> None:
    """Delete an annotation: its author (an annotator) or a curator may; with
    ``version``, only while it is still that version (``VersionConflict``)."""
    _lock_documents([annotation.document_id])
    annotation = _for_delete(Annotation.objects).get(pk=annotation.pk)
    project = _project_of(annotation.document_id)
    _require(
        roles.can_change_annotation(actor, project, annotation),
        "You may delete only your own annotations.",
    )
    if version is not None and annotation.version != version:
        raise VersionConflict(annotation, version)
    summary = _describe(annotation, list(annotation.themes.all()))
    before = annotation_state(annotation)
    snapshot = {"before": before, "memos": memos_on(annotation=annotation)}
    _log(
        project,
        actor,
        Activity.Verb.DELETED,
        summary,
        annotation,
        snapshot=snapshot,
        themes=before["themes"],
    )
    _changed([annotation], AnnotationChange.Kind.DELETED)
    paragraph_id = annotation.paragraph_id
    annotation.delete()
    _notify([paragraph_id], actor)


@dataclass(frozen=True)
class SpanRequest:
    """One item of a bulk tagging: a paragraph, whole (no offsets) or a span."""

    paragraph: int
    start: int | None = None
    end: int | None = None


@dataclass
class BulkOutcome:
    created: list[Annotation] = field(default_factory=list)
    skipped: int = 0  # already tagged with the theme by the same person


@transaction.atomic
def annotations_bulk_create(
    *,
    author: User,
    project: Project,
    theme: str,
    items: Sequence[SpanRequest],
    note: str = "",
) -> BulkOutcome:
    """Tag each item with one theme, all or nothing (the "code the results" step).

    An item the author has already tagged with this theme on the same span is
    skipped, so confirming a review twice creates nothing new. Every passage
    must be in ``project`` (another project's is "does not exist").
    """
    _require(roles.can_annotate(author, project), "Only annotators can annotate.")
    # Documents first, then themes: the order annotation_create locks them in.
    records = Paragraph.objects.filter(document__project=project)
    wanted = records.filter(pk__in={item.paragraph for item in items[:BULK_MAX_ITEMS]})
    _lock_documents(wanted.values_list("document_id", flat=True))
    errors: Errors = {}
    found = _resolve_themes(project, [theme], errors)
    note = _clean_note(note, errors)
    spans = _bulk_spans(project, items, errors)
    _raise_if(errors)
    outcome = BulkOutcome()
    for paragraph, start, end in spans:
        if _already_tagged(author, paragraph, start, end, found[0]):
            outcome.skipped += 1
            continue
        annotation = Annotation(author=author, note=note, origin=Origin.BULK)
        _place(annotation, paragraph, start, end)
        annotation.save()
        annotation.themes.set(found)
        outcome.created.append(annotation)
    _changed(outcome.created, AnnotationChange.Kind.CREATED)
    summary = f"tagged {len(outcome.created)} passages with {found[0].name}"
    _log(project, author, Activity.Verb.BULK_TAGGED, summary)
    _notify((a.paragraph_id for a in outcome.created), author)
    return outcome


def _bulk_spans(
    project: Project, items: Sequence[SpanRequest], errors: Errors
) -> list[tuple[Paragraph, int, int]]:
    """Resolve and check every item; problems are reported per item."""
    problems = errors.setdefault("items", [])
    if not items:
        problems.append("Choose at least one passage.")
    if len(items) > BULK_MAX_ITEMS:
        problems.append(
            f"At most {BULK_MAX_ITEMS} passages at once (got {len(items)})."
        )
        return []
    in_project = Paragraph.objects.filter(document__project=project)
    paragraphs = in_project.select_related("document").in_bulk(
        {item.paragraph for item in items}
    )
    spans = []
    for number, item in enumerate(items, start=1):
        span = _bulk_span(item, paragraphs.get(item.paragraph))
        if isinstance(span, str):
            problems.append(f"Passage {number}: {span}")
        else:
            spans.append(span)
    if not problems:
        del errors["items"]
    return spans


def _bulk_span(
    item: SpanRequest, paragraph: Paragraph | None
) -> tuple[Paragraph, int, int] | str:
    """The item's span (the whole paragraph without offsets), or what is wrong."""
    if paragraph is None:
        return f"paragraph {item.paragraph} does not exist."
    if paragraph.hidden:
        return HIDDEN_RECORD
    start = 0 if item.start is None else item.start
    end = len(paragraph.text) if item.end is None else item.end
    span_errors: Errors = {}
    _check_span(paragraph.text, start, end, None, span_errors)
    if span_errors:
        return " ".join(span_errors["span"])
    return paragraph, start, end


def _already_tagged(
    author: User, paragraph: Paragraph, start: int, end: int, theme: Theme
) -> bool:
    return Annotation.objects.filter(
        author=author, paragraph=paragraph, start=start, end=end, themes=theme
    ).exists()


# --- span, theme and note checks --------------------------------------------


def _for_change(manager: Any) -> Any:
    """Rows locked for a change that keeps their keys, in key order.

    Two things made concurrent writers deadlock on PostgreSQL. ``Meta.ordering``
    (annotation → paragraph → document) joined other tables into the locking
    query, and ``FOR UPDATE`` locks every joined row: ordering by key locks this
    table's rows only. And Django's foreign keys are checked at commit, taking
    ``FOR KEY SHARE`` on the rows they point at, which ``FOR UPDATE`` blocks but
    ``FOR NO KEY UPDATE`` does not. (SQLite has no row locks: ignored there.)
    """
    return manager.select_for_update(no_key=True, of=("self",)).order_by("pk")


def _for_delete(manager: Any) -> Any:
    """Rows locked to be deleted (a key change): ``FOR UPDATE``, no joins."""
    return manager.select_for_update(of=("self",)).order_by("pk")


def _locked_paragraph(pk: int) -> Paragraph:
    """The paragraph, locked so a concurrent re-ingest cannot delete it under us."""
    paragraph = _for_change(Paragraph.objects).filter(pk=pk).first()
    if paragraph is None:
        raise ValidationError(
            {"paragraph": ["This paragraph no longer exists; reload the page."]}
        )
    if paragraph.hidden:
        raise ValidationError({"paragraph": [HIDDEN_RECORD]})
    return paragraph


# A curator hid the record as page furniture: it is out of reading and search.
HIDDEN_RECORD = "This record is hidden as page furniture; show it again to tag it."


def _check_span(
    text: str, start: int, end: int, quote: str | None, errors: Errors
) -> None:
    """Offsets are code points into ``text``: 0 <= start < end <= len(text)."""
    problems = errors.setdefault("span", [])
    if start < 0:
        problems.append(f"start must be 0 or more (got {start}).")
    if end <= start:
        problems.append(
            f"end ({end}) must be greater than start ({start}): "
            "an annotation covers at least one character."
        )
    if end > len(text):
        problems.append(
            f"end ({end}) is past the end of the paragraph ({len(text)} characters)."
        )
    if not problems and quote is not None:
        actual = text[start:end]
        if unicodedata.normalize("NFC", quote) != actual:
            problems.append(
                f"The quote does not match the paragraph text at {start}–{end} "
                f"(the text there reads “{_excerpt(actual)}”). "
                "The page may be out of date: reload it and select again."
            )
    if not problems:
        del errors["span"]


def _resolve_themes(
    project: Project,
    slugs: Iterable[str],
    errors: Errors,
    allow_retired: Iterable[int] = (),
) -> list[Theme]:
    """Slugs -> ``project``'s locked Theme rows, in the order given, duplicates
    dropped."""
    wanted = list(dict.fromkeys(slug.strip().lower() for slug in slugs))
    if not wanted:
        errors.setdefault("themes", []).append("Pick at least one theme.")
        return []
    rows = _for_change(Theme.objects).filter(project=project, slug__in=wanted)
    by_slug = {theme.slug: theme for theme in rows}
    allowed = set(allow_retired)
    for slug in wanted:
        theme = by_slug.get(slug)
        if theme is None:
            errors.setdefault("themes", []).append(f"Unknown theme: “{slug}”.")
        elif theme.retired and theme.pk not in allowed:
            errors.setdefault("themes", []).append(
                f"The theme “{theme.name}” is retired; pick another."
            )
    return [by_slug[slug] for slug in wanted if slug in by_slug]


def _clean_note(note: str, errors: Errors, key: str = "note") -> str:
    """NFC, ``\\n`` line endings, trimmed; at most NOTE_MAX_LENGTH characters."""
    note = unicodedata.normalize("NFC", note.replace("\r\n", "\n")).strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors.setdefault(key, []).append(
            f"The note is too long ({len(note)} characters; at most {NOTE_MAX_LENGTH})."
        )
    return note


def _place(annotation: Annotation, paragraph: Paragraph, start: int, end: int) -> None:
    """Anchor ``annotation`` on a span, storing its quote and context."""
    found = quote_at(paragraph.text, start, end)
    annotation.document_id = paragraph.document_id
    annotation.paragraph = paragraph
    annotation.start, annotation.end = start, end
    annotation.quote, annotation.prefix, annotation.suffix = (
        found.exact,
        found.prefix,
        found.suffix,
    )
    annotation.orphaned = False
    annotation.last_position = paragraph.position


def _move(
    annotation: Annotation,
    start: int | None,
    end: int | None,
    quote: str | None,
    errors: Errors,
) -> None:
    """A new span on the same paragraph (an orphan has none to move on)."""
    if annotation.paragraph_id is None:
        errors.setdefault("span", []).append(
            "This annotation lost its paragraph at re-ingestion; "
            "its span cannot change. Delete it and tag the passage again."
        )
        return
    paragraph = _locked_paragraph(annotation.paragraph_id)
    start = annotation.start if start is None else start
    end = annotation.end if end is None else end
    _check_span(paragraph.text, start, end, quote, errors)
    if "span" not in errors:
        _place(annotation, paragraph, start, end)


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _project_of(document_id: int) -> Project:
    """The project a document (and so its records and annotations) belongs to."""
    return Project.objects.get(documents__pk=document_id)


# --- the codebook -----------------------------------------------------------


@transaction.atomic
def theme_create(
    *,
    actor: User,
    project: Project,
    name: str,
    description: str = "",
    inclusion: str = "",
    exclusion: str = "",
    colour: str = "#2f5d8a",
) -> Theme:
    """Add a theme to ``project``'s codebook; its slug follows the name."""
    _require(
        roles.can_manage_codebook(actor, project), "Only curators manage the codebook."
    )
    name = name.strip()
    slug = _free_slug(project, name)
    theme = Theme(
        project=project, name=name, slug=slug, description=description.strip()
    )
    theme.inclusion, theme.exclusion = inclusion.strip(), exclusion.strip()
    theme.colour = colour
    _validate_theme(theme)
    theme.save()
    _log(project, actor, Activity.Verb.THEME_ADDED, f"added the theme {name}")
    return theme


@transaction.atomic
def theme_update(
    *,
    actor: User,
    theme: Theme,
    name: str | None = None,
    description: str | None = None,
    inclusion: str | None = None,
    exclusion: str | None = None,
    colour: str | None = None,
    version: int | None = None,
) -> Theme:
    """Edit a theme (None = unchanged); a new name renames it (and its slug).

    Every annotation keeps the theme: they point at its row, not its name.
    With ``version``, a theme changed since raises ``VersionConflict``.
    """
    _require_codebook(actor, theme.project)
    theme = _for_change(Theme.objects).get(pk=theme.pk)
    if version is not None and theme.version != version:
        raise VersionConflict(theme, version)
    old_name = theme.name
    name = old_name if name is None else name.strip()
    if name != old_name:
        theme.slug = _free_slug(theme.project, name, exclude=theme.pk)
        theme.name = name
    texts = {"description": description, "inclusion": inclusion, "exclusion": exclusion}
    for attr, value in texts.items():
        if value is not None:
            setattr(theme, attr, value.strip())
    theme.colour = theme.colour if colour is None else colour
    _validate_theme(theme)
    _bump(theme)
    theme.save()
    renamed = f"renamed the theme {old_name} to {name}"
    summary = renamed if name != old_name else f"edited the theme {name}"
    _log(theme.project, actor, Activity.Verb.THEME_CHANGED, summary)
    if name != old_name:
        _notify(_paragraphs_with(theme), actor)
    return theme


@transaction.atomic
def theme_merge(
    *, actor: User, source: Theme, target: Theme, version: int | None = None
) -> int:
    """Move every annotation of ``source`` to ``target`` and delete ``source``.

    An annotation that had both keeps one ``target`` (no duplicates). Returns
    how many annotations carried ``source``. Both are in one project. With
    ``version`` (``source``'s), a source changed since is a ``VersionConflict``.
    """
    _require_codebook(actor, source.project)
    if source.pk == target.pk:
        raise ValidationError({"target": ["A theme cannot be merged into itself."]})
    if source.project_id != target.project_id:
        raise ValidationError({"target": ["Unknown theme."]})
    # Documents before themes: the order annotation_create locks them in.
    carrying = Annotation.objects.filter(themes=source)
    _lock_documents(carrying.values_list("document_id", flat=True))
    locked = _for_delete(Theme.objects).filter(pk__in=[source.pk, target.pk])
    themes = {theme.pk: theme for theme in locked}
    source, target = themes[source.pk], themes[target.pk]
    if version is not None and source.version != version:
        raise VersionConflict(source, version)
    if target.retired:
        raise ValidationError(
            {"target": [f"“{target.name}” is retired; restore it before merging."]}
        )
    paragraphs = _paragraphs_with(source)
    snapshot = _merge_snapshot(source, target)
    _adopt_children(source, target)
    _bump(target)
    moving = TaggedAnnotation.objects.filter(tag=source)
    count = moving.count()
    _changed(carrying.only("pk", "document_id"), AnnotationChange.Kind.EDITED)
    has_target = TaggedAnnotation.objects.filter(tag=target).values("content_object")
    moving.filter(content_object__in=has_target).delete()
    moving.update(tag=target)
    consensus_follow_merge(source=source, target=target)
    source.delete()
    summary = f"merged the theme {source.name} into {target.name} ({count} annotations)"
    _log(
        source.project,
        actor,
        Activity.Verb.THEME_MERGED,
        summary,
        snapshot=snapshot,
        themes=[snapshot["source"]["id"], target.pk],
    )
    _notify(paragraphs, actor)
    return count


def _merge_snapshot(source: Theme, target: Theme) -> dict[str, Any]:
    """Before a merge: the source theme, its children and memos, the target's
    parent, and each annotation with the source and whether it already had
    the target (an undo takes the target off only where the merge put it)."""
    with_target = set(
        TaggedAnnotation.objects.filter(tag=target).values_list(
            "content_object_id", flat=True
        )
    )
    carrying = TaggedAnnotation.objects.filter(tag=source).order_by("content_object")
    ids = carrying.values_list("content_object_id", flat=True)
    return {
        "source": theme_state(source),
        "target": target.pk,
        "target_parent": target.parent_id,
        "children": sorted(
            Theme.objects.filter(parent=source)
            .exclude(pk=target.pk)
            .values_list("pk", flat=True)
        ),
        "annotations": [[pk, pk in with_target] for pk in ids],
        "memos": memos_on(theme=source),
    }


def _adopt_children(source: Theme, target: Theme) -> None:
    """Before ``source`` goes, its children move under ``target``. When
    ``target`` sits below ``source``, it first takes ``source``'s place, so
    the tree stays a tree."""
    parents = _parent_map(source.project_id)
    if target.pk in hierarchy.descendants(parents, source.pk):
        target.parent_id = source.parent_id
        target.save(update_fields=["parent"])
    children = Theme.objects.filter(parent=source).exclude(pk=target.pk)
    children.update(parent=target, version=F("version") + 1)


def _parent_map(project_id: int) -> dict[int, int | None]:
    rows = Theme.objects.filter(project_id=project_id)
    return dict(rows.values_list("pk", "parent_id"))


@transaction.atomic
def theme_move(
    *, actor: User, theme: Theme, parent: Theme | None, version: int | None = None
) -> Theme:
    """Put ``theme`` (and everything below it) under ``parent``, or at the top
    level when ``parent`` is None. Refuses a move that would make a loop
    (under itself or under one of its own descendants)."""
    _require_codebook(actor, theme.project)
    if parent is not None and parent.project_id != theme.project_id:
        raise ValidationError({"parent": ["Unknown theme."]})
    # Every theme row of the project is locked: two concurrent moves could
    # otherwise each pass the cycle check and together make a loop.
    _lock_codebook(theme.project_id)
    theme = Theme.objects.get(pk=theme.pk)
    if version is not None and theme.version != version:
        raise VersionConflict(theme, version)
    parent_pk = parent.pk if parent is not None else None
    if hierarchy.would_cycle(_parent_map(theme.project_id), theme.pk, parent_pk):
        where = "itself" if parent_pk == theme.pk else "one of its own sub-themes"
        raise ValidationError({"parent": [f"“{theme.name}” cannot go under {where}."]})
    if theme.parent_id == parent_pk:
        return theme
    theme.parent_id = parent_pk
    _bump(theme)
    theme.save(update_fields=["parent", "version"])
    where = f"under {parent.name}" if parent is not None else "to the top level"
    _log(
        theme.project,
        actor,
        Activity.Verb.THEME_MOVED,
        f"moved the theme {theme.name} {where}",
    )
    # The index stores each paragraph's themes with their ancestors.
    moved = hierarchy.descendants(_parent_map(theme.project_id), theme.pk)
    rows = Annotation.objects.filter(tagged_items__tag_id__in=moved)
    _notify(rows.values_list("paragraph_id", flat=True).distinct(), actor)
    return theme


@transaction.atomic
def theme_reorder(*, actor: User, theme: Theme, step: int) -> Theme:
    """Move ``theme`` one place up (``step=-1``) or down (``+1``) among its
    siblings (the themes under the same parent, retired or not like it), and
    number them 0, 1, 2… in the new order. Refuses a move past either end."""
    _require_codebook(actor, theme.project)
    if step not in (-1, 1):
        raise ValidationError("A theme moves one place up or down.")
    _lock_codebook(theme.project_id)
    theme = Theme.objects.get(pk=theme.pk)
    siblings = Theme.objects.filter(
        project_id=theme.project_id, parent_id=theme.parent_id, retired=theme.retired
    )
    names = dict(siblings.order_by(*CODEBOOK_ORDER).values_list("pk", "name"))
    order = hierarchy.moved_among(list(names), theme.pk, step)
    if order is None:
        end = "first" if step < 0 else "last"
        raise ValidationError(f"“{theme.name}” is already {end} among its siblings.")
    numbered = [Theme(pk=pk, position=i) for i, pk in enumerate(order)]
    Theme.objects.bulk_update(numbered, ["position"])
    _bump(theme)
    where = "up" if step < 0 else "down"
    place = f"{order.index(theme.pk) + 1} of {len(order)}"
    _log(
        theme.project,
        actor,
        Activity.Verb.THEME_REORDERED,
        f"moved the theme {theme.name} {where} ({place})",
    )
    theme.refresh_from_db(fields=["position", "version"])
    return theme


@transaction.atomic
def theme_retire(
    *, actor: User, theme: Theme, retired: bool = True, version: int | None = None
) -> Theme:
    """Retire (hide from pickers, keep on annotations) or restore a theme;
    with ``version``, only the version the caller saw (``VersionConflict``)."""
    _require_codebook(actor, theme.project)
    theme = _for_change(Theme.objects).get(pk=theme.pk)
    if version is not None and theme.version != version:
        raise VersionConflict(theme, version)
    if theme.retired == retired:
        return theme
    theme.retired = retired
    _bump(theme)
    theme.save(update_fields=["retired", "version"])
    verb = Activity.Verb.THEME_RETIRED if retired else Activity.Verb.THEME_RESTORED
    word = "retired" if retired else "restored"
    _log(
        theme.project,
        actor,
        verb,
        f"{word} the theme {theme.name}",
        snapshot={"theme": theme.pk, "retired": not retired},
        themes=[theme.pk],
    )
    _notify(_paragraphs_with(theme), actor)
    return theme


@transaction.atomic
def theme_delete(*, actor: User, theme: Theme) -> None:
    """Delete a theme no annotation carries (a used one is merged or retired:
    coding is never lost by deleting a code). Its sub-themes move up to its
    parent; its memos go with it. Undoable from the log (annotations.undo)."""
    _require_codebook(actor, theme.project)
    _lock_codebook(theme.project_id)
    theme = Theme.objects.get(pk=theme.pk)
    used = TaggedAnnotation.objects.filter(tag=theme).count()
    if used:
        raise ValidationError(
            {
                "theme": [
                    f"{used} annotation{'s' if used != 1 else ''} carry "
                    f"“{theme.name}”: merge it into another theme or retire it."
                ]
            }
        )
    children = Theme.objects.filter(parent=theme)
    snapshot: dict[str, Any] = {
        "theme": theme_state(theme),
        "children": sorted(children.values_list("pk", flat=True)),
        "memos": memos_on(theme=theme),
    }
    children.update(parent=theme.parent_id)
    theme.delete()
    _log(
        theme.project,
        actor,
        Activity.Verb.THEME_DELETED,
        f"deleted the theme {theme.name}",
        snapshot=snapshot,
        themes=[snapshot["theme"]["id"]],
    )


def _require_codebook(actor: User, project: Project) -> None:
    _require(
        roles.can_manage_codebook(actor, project), "Only curators manage the codebook."
    )


def _lock_codebook(project_id: int) -> None:
    rows = _for_change(Theme.objects).filter(project_id=project_id).order_by("pk")
    list(rows.values_list("pk", flat=True))


def _free_slug(project: Project, name: str, exclude: int | None = None) -> str:
    """The slug for ``name``; a clash with another theme of the project is a
    validation error."""
    slug = slugify(name, allow_unicode=True)[:100]
    if not slug:
        raise ValidationError({"name": ["The name needs a letter or a digit."]})
    others = Theme.objects.filter(project=project)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.filter(name__iexact=name).exists() or others.filter(slug=slug).exists():
        raise ValidationError({"name": [f"A theme named “{name}” already exists."]})
    return slug


def _validate_theme(theme: Theme) -> None:
    """Model field checks (lengths, colour), as a ``{field: [message]}`` error.

    Uniqueness was checked by ``_free_slug`` with a clearer message.
    """
    theme.full_clean(exclude=["slug"], validate_unique=False)


def _paragraphs_with(theme: Theme) -> list[int]:
    rows = Annotation.objects.filter(themes=theme, paragraph__isnull=False)
    return list(rows.values_list("paragraph_id", flat=True).distinct())


# --- memos ------------------------------------------------------------------


@transaction.atomic
def memo_create(
    *,
    author: User,
    project: Project,
    text: str,
    theme: Theme | None = None,
    document: Document | None = None,
    annotation: Annotation | None = None,
) -> Memo:
    """A memo by ``author`` on at most one subject (none: the project journal).

    Annotators and above write memos; the text is required and at most
    ``NOTE_MAX_LENGTH`` characters; the subject is in ``project``.
    """
    _require(roles.can_annotate(author, project), "Only annotators write memos.")
    subjects = [s for s in (theme, document, annotation) if s is not None]
    errors: Errors = {}
    if len(subjects) > 1:
        errors["subject"] = ["A memo is about one theme, document or passage."]
    if not _all_in(project, theme, document, annotation):
        errors["subject"] = ["Unknown subject."]
    text = _clean_note(text, errors, key="text")
    if not text:
        errors["text"] = ["Write something."]
    _raise_if(errors)
    memo = Memo.objects.create(
        project=project,
        author=author,
        text=text,
        theme=theme,
        document=document,
        annotation=annotation,
    )
    summary = f"wrote a memo on {memo.subject_label}"
    _log(project, author, Activity.Verb.MEMO_WRITTEN, summary)
    return memo


def _all_in(
    project: Project,
    theme: Theme | None,
    document: Document | None,
    annotation: Annotation | None,
) -> bool:
    """Each given subject belongs to ``project``."""
    ids = [
        theme.project_id if theme else None,
        document.project_id if document else None,
    ]
    if annotation is not None:
        ids.append(_project_of(annotation.document_id).pk)
    return all(pk == project.pk for pk in ids if pk is not None)


@transaction.atomic
def memo_import(
    *,
    actor: User,
    project: Project,
    author: User,
    text: str,
    guid: str,
    theme: Theme | None = None,
    document: Document | None = None,
    annotation: Annotation | None = None,
) -> Memo:
    """A memo read from a REFI-QDA project, attributed to ``author`` (who
    need not hold a role any more); ``guid`` is the file's note GUID."""
    _require(roles.can_moderate(actor, project), "Only curators import memos.")
    errors: Errors = {}
    text = _clean_note(text, errors, key="text") or "(empty note)"
    if not _all_in(project, theme, document, annotation):
        errors["subject"] = ["Unknown subject."]
    _raise_if(errors)
    memo = Memo.objects.create(
        project=project,
        author=author,
        text=text,
        guid=guid,
        theme=theme,
        document=document,
        annotation=annotation,
    )
    summary = f"imported a memo on {memo.subject_label}"
    _log(project, actor, Activity.Verb.IMPORTED, summary)
    return memo


@transaction.atomic
def memo_delete(*, actor: User, memo: Memo) -> None:
    """Authors delete their own memos; curators anyone's."""
    project = memo.project
    own = roles.can_annotate(actor, project) and memo.author_id == actor.pk
    _require(
        own or roles.can_moderate(actor, project), "Only the author or a curator may."
    )
    label = memo.subject_label
    memo.delete()
    _log(project, actor, Activity.Verb.MEMO_DELETED, f"deleted a memo on {label}")


# --- re-anchoring (called by corpus.services.document_ingest) ---------------


@dataclass(frozen=True)
class ReanchorOutcome:
    placed: int
    orphaned: int


def annotations_detach(*, document: Document) -> int:
    """Before ``document``'s paragraphs are replaced: unhook its annotations.

    Each remembers its position as a hint and is marked orphaned until
    ``annotations_reanchor`` places it again. Must run in the caller's
    transaction (``document_ingest``), with the re-anchoring after it.
    """
    rows = list(Annotation.objects.filter(document=document, paragraph__isnull=False))
    # Keyed by ``int | None`` only because ``paragraph_id`` is typed optional:
    # the rows above all have a paragraph.
    positions: dict[int | None, int] = dict(
        Paragraph.objects.filter(document=document).values_list("id", "position")
    )
    for annotation in rows:
        annotation.last_position = positions.get(annotation.paragraph_id)
        annotation.paragraph, annotation.orphaned = None, True
    fields = ["last_position", "paragraph", "orphaned"]
    Annotation.objects.bulk_update(rows, fields, batch_size=500)
    return len(rows)


def annotations_reanchor(*, document: Document) -> ReanchorOutcome:
    """Find every orphaned annotation of ``document`` in its current paragraphs.

    Orphans of earlier ingests are retried too. Those whose quote cannot be
    found (see ``anchoring.locate``) stay orphaned, listed on the activity page.
    """
    rows = document.paragraphs.order_by("position").values_list("id", "text")
    ids, texts = [row[0] for row in rows], [row[1] for row in rows]
    orphans = list(Annotation.objects.filter(document=document, orphaned=True))
    placed = []
    for annotation in orphans:
        quote = Quote(annotation.quote, annotation.prefix, annotation.suffix)
        anchor = locate(quote, texts, hint=annotation.last_position)
        if anchor is not None:
            _reattach(annotation, ids[anchor.index], texts[anchor.index], anchor)
            placed.append(annotation)
    fields = ["paragraph", "start", "end", "prefix", "suffix", "orphaned"]
    Annotation.objects.bulk_update(placed, [*fields, "last_position"], batch_size=500)
    outcome = ReanchorOutcome(len(placed), len(orphans) - len(placed))
    if orphans:
        summary = (
            f"re-ingested {document.display_title}: {outcome.placed} annotations "
            f"re-anchored, {outcome.orphaned} could not be placed"
        )
        Activity.objects.create(
            project_id=document.project_id,
            verb=Activity.Verb.REANCHORED,
            summary=summary,
            document=document,
        )
    _notify(a.paragraph_id for a in placed)
    return outcome


def _reattach(
    annotation: Annotation, paragraph_id: int, text: str, anchor: Anchor
) -> None:
    found = quote_at(text, anchor.start, anchor.end)
    annotation.paragraph_id, annotation.orphaned = paragraph_id, False
    annotation.start, annotation.end = anchor.start, anchor.end
    annotation.prefix, annotation.suffix = found.prefix, found.suffix
    annotation.last_position = anchor.index


# --- log and notices --------------------------------------------------------


def _log(
    project: Project,
    actor: User | None,
    verb: str,
    summary: str,
    annotation: Annotation | None = None,
    *,
    snapshot: dict[str, Any] | None = None,
    themes: Iterable[int] = (),
) -> Activity:
    """An activity entry; ``snapshot`` is what an undo needs (annotations.undo),
    ``themes`` the ids the log's theme filter finds it by."""
    entry = Activity.objects.create(
        project=project,
        actor=actor,
        verb=verb,
        summary=summary,
        document_id=annotation.document_id if annotation else None,
        paragraph_id=annotation.paragraph_id if annotation else None,
        annotation_id=annotation.pk if annotation else None,
        snapshot=snapshot or {},
    )
    links = [ActivityTheme(activity=entry, theme_id=pk) for pk in sorted(set(themes))]
    ActivityTheme.objects.bulk_create(links)
    return entry


def _notify(paragraph_ids: Iterable[int | None], actor: User | None = None) -> None:
    """Tell search (in this transaction) which paragraphs' themes changed,
    and by whom: ``actor``'s next search waits for them, no one else's."""
    ids = sorted({pk for pk in paragraph_ids if pk is not None})
    if ids:
        search_sync.paragraphs_changed(ids, actor_id=actor.pk if actor else None)


def _describe(annotation: Annotation, themes: Sequence[Theme]) -> str:
    names = ", ".join(theme.name for theme in themes) or "no theme"
    return f"{names}: “{_excerpt(annotation.quote)}”"


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- imports ----------------------------------------------------------------


@transaction.atomic
def annotation_import(
    *,
    actor: User,
    author: User,
    paragraph: Paragraph,
    start: int,
    end: int,
    themes: Sequence[Theme],
    note: str = "",
    source_id: str = "",
) -> Annotation:
    """Add an annotation read from an interchange file, attributed to ``author``.

    A curator imports; the author need not hold a role any more (the file
    records who made it). ``source_id`` keeps the file's id for the
    annotation, so a second import can recognise it.
    """
    project = _project_of(paragraph.document_id)
    _require(roles.can_moderate(actor, project), "Only curators import annotations.")
    _lock_documents([paragraph.document_id])
    paragraph = _locked_paragraph(paragraph.pk)
    errors: Errors = {}
    _check_span(paragraph.text, start, end, None, errors)
    note = _clean_note(note, errors)
    if not themes:
        errors.setdefault("themes", []).append("Pick at least one theme.")
    if any(theme.project_id != project.pk for theme in themes):
        errors.setdefault("themes", []).append("Unknown theme.")
    _raise_if(errors)
    annotation = Annotation(
        author=author, note=note, source_id=source_id[:500], origin=Origin.IMPORT
    )
    _place(annotation, paragraph, start, end)
    annotation.save()
    annotation.themes.set(themes)
    _changed([annotation], AnnotationChange.Kind.CREATED)
    summary = "imported " + _describe(annotation, themes)
    _log(project, actor, Activity.Verb.IMPORTED, summary, annotation)
    _notify([paragraph.pk], actor)
    return annotation


@transaction.atomic
def theme_import(
    *,
    actor: User,
    project: Project,
    guid: str | None,
    name: str,
    colour: str | None = None,
    description: str | None = None,
) -> tuple[Theme, bool]:
    """Add or update a theme from a codebook file: matched by GUID, then by
    name (case-insensitive), in ``project``. Returns the theme and whether it
    was created."""
    codebook = Theme.objects.filter(project=project)
    theme = _theme_by_guid(project, guid) or codebook.filter(name__iexact=name).first()
    if theme is not None:
        theme = theme_update(
            actor=actor, theme=theme, name=name, colour=colour, description=description
        )
        return theme, False
    theme = theme_create(
        actor=actor,
        project=project,
        name=name,
        description=description or "",
        colour=colour or "#2f5d8a",
    )
    if guid:
        theme.guid = guid
        theme.save(update_fields=["guid"])
    return theme, True


def _theme_by_guid(project: Project, guid: str | None) -> Theme | None:
    if not guid:
        return None
    try:
        return Theme.objects.filter(project=project, guid=guid).first()
    except ValidationError:  # not a UUID
        return None


# --- following records through curation (called by corpus.curation) --------
#
# corpus.curation merges, splits and deletes records; these keep annotations
# on the same characters. They run inside the caller's transaction (the rows
# are already locked there), do not check roles (the caller did) and do not
# notify search (the caller queues every record it touched at once).


def annotations_follow_merge(*, into: Paragraph, source: Paragraph, shift: int) -> int:
    """``source``'s text now follows ``into``'s, starting at ``shift``: move
    ``source``'s annotations onto ``into`` with their offsets shifted, and
    refresh the context (prefix, suffix) of every annotation now on ``into``.
    Returns how many annotations moved."""
    moved = list(Annotation.objects.filter(paragraph=source))
    for annotation in moved:
        annotation.start += shift
        annotation.end += shift
        annotation.paragraph = into
    Annotation.objects.bulk_update(moved, ["paragraph", "start", "end"])
    _refresh_context(into)
    return len(moved)


def annotations_follow_split(
    *, first: Paragraph, second: Paragraph, old_text: str, cut: int, resume: int
) -> SplitOutcome:
    """``old_text`` became ``first.text`` (``old_text[:cut]``) and ``second.text``
    (``old_text[resume:]``): each of ``first``'s annotations follows its
    characters (``anchoring.split_span``). One that crossed the point is
    divided: it keeps the first part and a copy (same author, themes, note,
    creation time) takes the second, so both parts stay coded."""
    moved = divided = orphaned = 0
    for annotation in list(Annotation.objects.filter(paragraph=first)):
        fate = split_span(annotation.start, annotation.end, cut, resume)
        if fate.first and fate.second:
            _copy_onto(annotation, second, *fate.second)
            divided += 1
        if fate.first:
            _place(annotation, first, *fate.first)
        elif fate.second:
            _place(annotation, second, *fate.second)
            moved += 1
        else:
            annotation.paragraph, annotation.orphaned = None, True
            orphaned += 1
        annotation.save()
    return SplitOutcome(moved, divided, orphaned)


def annotations_delete_for_document(*, document: Document) -> int:
    """Delete every annotation of ``document`` (with its themes); returns how
    many. For ``corpus.curation.document_delete``, which logs the deletion."""
    deleted = Annotation.objects.filter(document=document)
    count = deleted.count()
    deleted.delete()
    return count


def curation_log(
    *,
    project: Project,
    actor: User | None,
    verb: str,
    summary: str,
    document: Document | None = None,
    paragraph: Paragraph | None = None,
) -> None:
    """An activity entry for a curation of a document or a record; ``verb``
    must be one of ``Activity.Verb`` (a typo raises ValueError)."""
    Activity.objects.create(
        project=project,
        actor=actor,
        verb=Activity.Verb(verb),
        summary=summary,
        document=document,
        paragraph=paragraph,
    )


def _copy_onto(
    original: Annotation, paragraph: Paragraph, start: int, end: int
) -> None:
    themes = list(original.themes.all())
    copy = Annotation(
        author_id=original.author_id, note=original.note, origin=original.origin
    )
    _place(copy, paragraph, start, end)
    copy.save()
    copy.themes.set(themes)
    # auto_now_add set "now": the copy is as old as the coding it continues.
    Annotation.objects.filter(pk=copy.pk).update(created=original.created)


def _refresh_context(paragraph: Paragraph) -> None:
    """Re-read quote, prefix and suffix of ``paragraph``'s annotations from its
    current text (the text around a span changes when records are joined)."""
    rows = list(Annotation.objects.filter(paragraph=paragraph))
    for annotation in rows:
        _place(annotation, paragraph, annotation.start, annotation.end)
    fields = ["quote", "prefix", "suffix", "last_position"]
    Annotation.objects.bulk_update(rows, fields, batch_size=500)
