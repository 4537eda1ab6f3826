"""Undo from the activity log: a registry of verb -> undo, and the service.

An entry can be undone when its verb is registered here, it carries a
snapshot (``Activity.snapshot``, written by the service that made the change;
entries from before this feature have none), it has not been undone already,
and the person may (``Undoer.may``). ``activity_undo`` then restores the
state before the change exactly, inside one transaction, or refuses with a
``ValidationError`` and changes nothing when the state moved on in a way that
makes the undo unsafe (the slug taken again, the annotations deleted, the
annotation edited since…). The undo is itself logged (verb ``undone``) and the
entry points at it (``undone_by``), so it cannot be undone twice.

Who may:

- codebook changes (merge, retire, delete of a theme): curators, any time;
- annotation changes (create, edit, delete): the person who made them, for
  ``UNDO_WINDOW`` (30 minutes) after, while they can still annotate.

Other apps' features add their own undo with ``register(verb, Undoer(...))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import roles
from accounts.models import Project
from annotations import services
from annotations.anchoring import Quote, locate
from annotations.models import (
    Activity,
    Annotation,
    Memo,
    TaggedAnnotation,
    Theme,
)
from annotations.snapshots import State, annotation_state
from corpus.models import Document, Paragraph

UNDO_WINDOW = timedelta(minutes=30)
Verb = Activity.Verb


@dataclass(frozen=True)
class Undoer:
    """How to undo one verb: ``may(user, project, entry)`` is a cheap check
    (it decides whether the log shows an Undo button); ``apply(actor, entry)``
    restores the state before ``entry`` or raises ``ValidationError``."""

    may: Callable[[User | AnonymousUser, Project | None, Activity], bool]
    apply: Callable[[User, Activity], None]


REGISTRY: dict[str, Undoer] = {}


def register(verb: str, undoer: Undoer) -> None:
    """Make entries with ``verb`` undoable (one undo per verb)."""
    REGISTRY[verb] = undoer


def can_undo(
    user: User | AnonymousUser, project: Project | None, entry: Activity
) -> bool:
    """Whether ``user`` may undo ``entry`` now (the log's Undo button)."""
    undoer = REGISTRY.get(entry.verb)
    return (
        undoer is not None
        and bool(entry.snapshot)
        and entry.undone_by_id is None
        and undoer.may(user, project, entry)
    )


@transaction.atomic
def activity_undo(*, actor: User, entry: Activity) -> Activity:
    """Undo ``entry``; returns the new ``undone`` entry. ``PermissionDenied``
    when ``actor`` may not, ``ValidationError`` (with a message to show) when
    it cannot be undone (any more); either way nothing changes."""
    found = services._for_change(Activity.objects).filter(pk=entry.pk).first()
    if found is None:
        raise ValidationError("This entry no longer exists.")
    entry = found
    undoer = REGISTRY.get(entry.verb)
    if undoer is None or not entry.snapshot:
        raise ValidationError("This entry cannot be undone.")
    if entry.undone_by_id is not None:
        raise ValidationError("This was undone already.")
    if not undoer.may(actor, entry.project, entry):
        raise PermissionDenied(_refusal(entry))
    undoer.apply(actor, entry)
    themes = entry.theme_links.values_list("theme_id", flat=True)
    undone = services._log(
        entry.project,
        actor,
        Verb.UNDONE,
        f"undid: {entry.summary}",
        themes=list(themes),
    )
    entry.undone_by = undone
    entry.save(update_fields=["undone_by"])
    return undone


def _refusal(entry: Activity) -> str:
    if entry.verb in ANNOTATION_VERBS:
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        return f"You may undo only your own annotation changes, for {minutes} minutes."
    return "Only curators undo codebook changes."


def _refuse(message: str) -> None:
    raise ValidationError(message)


# --- who may ----------------------------------------------------------------


def _curator(
    user: User | AnonymousUser, project: Project | None, entry: Activity
) -> bool:
    return roles.can_manage_codebook(user, project)


def _own_and_recent(
    user: User | AnonymousUser, project: Project | None, entry: Activity
) -> bool:
    return (
        entry.actor_id is not None
        and entry.actor_id == user.pk
        and roles.can_annotate(user, project)
        and timezone.now() - entry.created <= UNDO_WINDOW
    )


# --- annotations ------------------------------------------------------------


def _current(entry: Activity, state: State) -> Annotation:
    """The annotation as it is, locked; refused unless it is as ``state``."""
    annotation = (
        services._for_change(Annotation.objects.in_project(entry.project))
        .filter(pk=state["id"])
        .first()
    )
    if annotation is None:
        _refuse("The annotation was deleted since.")
    assert annotation is not None
    if annotation_state(annotation) != state:
        _refuse("The annotation was changed since; undo the later change first.")
    return annotation


def _themes(entry: Activity, ids: Iterable[int]) -> list[Theme]:
    wanted = sorted(set(ids))
    rows = services._for_change(Theme.objects).filter(
        project=entry.project, pk__in=wanted
    )
    found = list(rows)
    if len(found) != len(wanted):
        _refuse("A theme it had no longer exists (merged or deleted).")
    return found


def undo_annotated(actor: User, entry: Activity) -> None:
    """Take the new annotation away again (if nobody built on it)."""
    annotation = _current(entry, entry.snapshot["after"])
    if Memo.objects.filter(annotation=annotation).exists():
        _refuse("A memo was written on this passage since; delete it first.")
    paragraph_id = annotation.paragraph_id
    annotation.delete()
    services._notify([paragraph_id], actor)


def undo_edited(actor: User, entry: Activity) -> None:
    """Put the note, span and themes back as they were before the edit."""
    before = entry.snapshot["before"]
    annotation = _current(entry, entry.snapshot["after"])
    themes = _themes(entry, before["themes"])
    if before["paragraph_id"] is not None:
        paragraph = Paragraph.objects.get(pk=before["paragraph_id"])
        if paragraph.text[before["start"] : before["end"]] != before["quote"]:
            _refuse("The record's text changed since; the old span is gone.")
    for name in ("start", "end", "quote", "prefix", "suffix", "note"):
        setattr(annotation, name, before[name])
    annotation.last_position = before["last_position"]
    annotation.save()
    annotation.themes.set(themes)
    services._notify([annotation.paragraph_id], actor)


def undo_deleted(actor: User, entry: Activity) -> None:
    """Bring the annotation back with its id, span, quote, note, themes, author,
    creation time and memos; where its record's text changed, it is placed
    again by its quote (``anchoring.locate``) or comes back orphaned."""
    before: State = entry.snapshot["before"]
    document = Document.objects.filter(
        pk=before["document_id"], project=entry.project
    ).first()
    if document is None:
        _refuse("Its document was deleted since.")
    themes = _themes(entry, before["themes"])
    annotation = _rebuilt(before, document)
    if Annotation.objects.filter(pk=before["id"]).exists():
        annotation.pk = None
        was = f"(restored; it was annotation {before['id']})"
        annotation.note = f"{annotation.note}\n{was}".strip()
    annotation.save()
    Annotation.objects.filter(pk=annotation.pk).update(created=before["created"])
    annotation.themes.set(themes)
    _restore_memos(entry.snapshot.get("memos", []))
    services._notify([annotation.paragraph_id], actor)


def _rebuilt(before: State, document: Document | None) -> Annotation:
    names = [n for n in before if n not in ("themes", "created")]
    annotation = Annotation(**{name: before[name] for name in names})
    paragraph = Paragraph.objects.filter(
        pk=before["paragraph_id"], document=document
    ).first()
    fits = paragraph is not None and (
        paragraph.text[before["start"] : before["end"]] == before["quote"]
    )
    if before["orphaned"] or fits:
        return annotation
    rows = list(
        Paragraph.objects.filter(document=document)
        .order_by("position")
        .values_list("id", "text")
    )
    quote = Quote(before["quote"], before["prefix"], before["suffix"])
    anchor = locate(quote, [text for _, text in rows], hint=before["last_position"])
    if anchor is None:
        annotation.paragraph_id, annotation.orphaned = None, True
        return annotation
    annotation.paragraph_id = rows[anchor.index][0]
    annotation.start, annotation.end = anchor.start, anchor.end
    annotation.last_position = anchor.index
    return annotation


def _restore_memos(memos: Iterable[State]) -> None:
    for state in memos:
        if Memo.objects.filter(pk=state["id"]).exists():
            continue
        fields = {k: v for k, v in state.items() if k not in ("created", "updated")}
        Memo.objects.create(**fields)
        Memo.objects.filter(pk=state["id"]).update(
            created=state["created"], updated=state["updated"]
        )


# --- the codebook -----------------------------------------------------------


def undo_retired(actor: User, entry: Activity) -> None:
    theme = (
        services._for_change(Theme.objects)
        .filter(project=entry.project, pk=entry.snapshot["theme"])
        .first()
    )
    if theme is None:
        _refuse("The theme no longer exists (merged or deleted).")
    assert theme is not None
    if not theme.retired:
        _refuse(f"“{theme.name}” was restored since.")
    theme.retired = False
    theme.save(update_fields=["retired"])
    services._notify(services._paragraphs_with(theme), actor)


def _restore_theme(entry: Activity, state: State) -> Theme:
    """Recreate a theme with its id, GUID and every field, or refuse when its
    name, slug or GUID is taken again or its parent is gone."""
    project = entry.project
    services._lock_codebook(project.pk)
    clash = Theme.objects.filter(project=project).filter(
        Q(pk=state["id"])
        | Q(slug=state["slug"])
        | Q(name__iexact=state["name"])
        | Q(guid=state["guid"])
    )
    if clash.exists():
        _refuse(
            f"A theme named “{state['name']}” (or with its slug) exists again; "
            "rename or merge it first."
        )
    parent = state["parent_id"]
    if parent is not None and not Theme.objects.filter(pk=parent).exists():
        _refuse(f"The parent of “{state['name']}” no longer exists.")
    fields = {k: v for k, v in state.items() if k != "created"}
    theme = Theme(**fields)
    theme.save()
    Theme.objects.filter(pk=theme.pk).update(created=state["created"])
    return theme


def _children_back(theme: Theme, children: list[int], now_under: int | None) -> None:
    """Children that a merge or deletion moved and that are still where it put
    them go back under ``theme``; any that moved on since stay."""
    rows = Theme.objects.filter(pk__in=children, parent_id=now_under)
    rows.update(parent=theme)


def _check_tree(project_id: int) -> None:
    parents = services._parent_map(project_id)
    for node in parents:
        seen, current = {node}, parents[node]
        while current is not None:
            if current in seen:
                _refuse("Undoing this would make a loop in the codebook tree.")
            seen.add(current)
            current = parents.get(current)


def undo_merged(actor: User, entry: Activity) -> None:
    """Bring the merged theme back with every field, its children and memos;
    each annotation gets it back, and loses the target where the merge added
    it (where it had both before, it keeps both)."""
    snap = entry.snapshot
    target = (
        services._for_change(Theme.objects)
        .filter(project=entry.project, pk=snap["target"])
        .first()
    )
    if target is None:
        _refuse("The theme it was merged into no longer exists.")
    assert target is not None
    ids = [pk for pk, _ in snap["annotations"]]
    alive = Annotation.objects.in_project(entry.project).filter(pk__in=ids).count()
    if alive != len(ids):
        _refuse(f"{len(ids) - alive} of its annotations were deleted since.")
    source = _restore_theme(entry, snap["source"])
    _children_back(source, snap["children"], now_under=target.pk)
    if target.parent_id == source.parent_id != snap["target_parent"]:
        target.parent_id = snap["target_parent"]
        target.save(update_fields=["parent"])
    _check_tree(entry.project.pk)
    _retag(source, target, snap["annotations"])
    _restore_memos(snap.get("memos", []))
    rows = Annotation.objects.filter(pk__in=ids, paragraph__isnull=False)
    services._notify(rows.values_list("paragraph_id", flat=True), actor)


def _retag(source: Theme, target: Theme, annotations: list[list[Any]]) -> None:
    TaggedAnnotation.objects.bulk_create(
        [TaggedAnnotation(tag=source, content_object_id=pk) for pk, _ in annotations]
    )
    added = [pk for pk, had_target in annotations if not had_target]
    TaggedAnnotation.objects.filter(tag=target, content_object_id__in=added).delete()


def undo_deleted_theme(actor: User, entry: Activity) -> None:
    snap = entry.snapshot
    theme = _restore_theme(entry, snap["theme"])
    _children_back(theme, snap["children"], now_under=theme.parent_id)
    _check_tree(entry.project.pk)
    _restore_memos(snap.get("memos", []))


ANNOTATION_VERBS = {Verb.ANNOTATED, Verb.EDITED, Verb.DELETED}

register(Verb.ANNOTATED, Undoer(may=_own_and_recent, apply=undo_annotated))
register(Verb.EDITED, Undoer(may=_own_and_recent, apply=undo_edited))
register(Verb.DELETED, Undoer(may=_own_and_recent, apply=undo_deleted))
register(Verb.THEME_MERGED, Undoer(may=_curator, apply=undo_merged))
register(Verb.THEME_RETIRED, Undoer(may=_curator, apply=undo_retired))
register(Verb.THEME_DELETED, Undoer(may=_curator, apply=undo_deleted_theme))
