"""Blind coding rounds: who may see which annotations, and opening and closing.

While a round is open, each of its coders sees only their *own* annotations on
its documents; everyone else's there are hidden from them. Curators and admins
see everything, as do people who are not coders of an open round. Closing the
round lifts that, and the round keeps its documents, coders, times and who
opened and closed it, so agreement can be computed for exactly that round
(``round_annotations``).

The rule lives in one place, ``hidden_from``; every read path applies it
through ``visible_annotations`` (annotation rows) or ``visible_taggings``
(theme-on-annotation rows): the reader and the annotation API, exports, the
theme page, the activity log and the agreement page. Search keeps one index for
everybody, so it asks ``search_theme_view`` which paragraphs' themes to
recompute for the person searching (see ``search.blind``).

Writes (``round_open``, ``round_close``) run in ``transaction.atomic`` and
log to the activity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import roles
from accounts.models import Project
from annotations import hierarchy
from annotations.models import (
    Activity,
    Annotation,
    CodingRound,
    TaggedAnnotation,
    Theme,
)
from corpus.models import Document, Paragraph

AnyUser = User | AnonymousUser
Rows = TypeVar("Rows", bound=QuerySet[Any])


# --- the visibility rule ----------------------------------------------------


def blind_documents(user: AnyUser | None, project: Project | None) -> set[int]:
    """Ids of ``project``'s documents on which ``user`` codes blind now: those
    of the open rounds they are a coder of. Empty for curators and admins
    (they see all) and for anyone not coding in an open round."""
    if user is None or project is None or not getattr(user, "pk", None):
        return set()
    if roles.can_moderate(user, project):
        return set()
    rows = CodingRound.objects.open().filter(project=project, coders=user.pk)
    return set(rows.values_list("documents", flat=True)) - {None}


def hidden_from(
    user: AnyUser | None, project: Project | None, prefix: str = ""
) -> Q | None:
    """The rows hidden from ``user``: someone else's annotation on a document
    ``user`` codes blind (``prefix`` leads from the rows to the annotation,
    e.g. ``"content_object__"``). None when nothing is hidden."""
    documents = blind_documents(user, project)
    if not documents:
        return None
    return Q(**{f"{prefix}document_id__in": documents}) & ~Q(
        **{f"{prefix}author_id": user.pk}  # type: ignore[union-attr]
    )


def visible_annotations(
    queryset: Rows, user: AnyUser | None, project: Project | None
) -> Rows:
    """``queryset`` without what a blind round hides from ``user``."""
    hidden = hidden_from(user, project)
    return queryset if hidden is None else queryset.exclude(hidden)


def visible_taggings(
    queryset: Rows, user: AnyUser | None, project: Project | None
) -> Rows:
    """The same rule for theme-on-annotation rows."""
    hidden = hidden_from(user, project, prefix="content_object__")
    return queryset if hidden is None else queryset.exclude(hidden)


def can_see(annotation: Annotation, user: AnyUser | None, project: Project) -> bool:
    """Whether ``user`` may see this one annotation (the rule, for one row)."""
    if annotation.author_id == getattr(user, "pk", None):
        return True
    return annotation.document_id not in blind_documents(user, project)


def visible_activity(
    queryset: Rows, user: AnyUser | None, project: Project | None
) -> Rows:
    """Log entries without others' work on documents ``user`` codes blind
    (an entry quotes the passage and names its themes)."""
    documents = blind_documents(user, project)
    if not documents:
        return queryset
    return queryset.exclude(
        Q(document_id__in=documents) & ~Q(actor_id=user.pk)  # type: ignore[union-attr]
    )


# --- search -----------------------------------------------------------------


def search_theme_view(
    project: Project | None, user: AnyUser | None
) -> dict[int, tuple[str, ...]] | None:
    """For search (setting ``GLOSS_SEARCH_THEME_VIEW``): None when ``user``
    sees the index's themes as they are; otherwise every paragraph of the
    documents ``user`` codes blind, mapped to the theme slugs (with their
    ancestors, as the index stores them) of the annotations ``user`` sees."""
    documents = blind_documents(user, project)
    if not documents:
        return None
    paragraphs = Paragraph.objects.filter(document_id__in=documents)
    found: dict[int, set[int]] = {
        pk: set() for pk in paragraphs.values_list("pk", flat=True)
    }
    rows = visible_taggings(
        TaggedAnnotation.objects.filter(content_object__document_id__in=documents),
        user,
        project,
    ).values_list("content_object__paragraph_id", "tag_id")
    for paragraph_id, theme_id in rows:
        if paragraph_id in found:
            found[paragraph_id].add(theme_id)
    tree = list(
        Theme.objects.filter(project=project).values_list("pk", "parent_id", "slug")
    )
    parents = {pk: parent for pk, parent, _ in tree}
    slugs = {pk: slug for pk, _, slug in tree}
    return {
        pk: tuple(
            sorted(
                {
                    slugs[t]
                    for theme in themes
                    for t in [theme, *hierarchy.ancestors(parents, theme)]
                }
            )
        )
        for pk, themes in found.items()
    }


# --- agreement --------------------------------------------------------------


def round_annotations(coding_round: CodingRound) -> QuerySet[Annotation]:
    """The annotations a round's agreement is computed from: made by its
    coders, on its documents, from its opening until its closing (now, while it
    is open). Annotations made before the round opened are left out, even on
    its documents: the round measures what its coders did blind."""
    rows = Annotation.objects.filter(
        document__in=coding_round.documents.all(),
        author__in=coding_round.coders.all(),
        created__gte=coding_round.opened,
    )
    if coding_round.closed is not None:
        rows = rows.filter(created__lte=coding_round.closed)
    return rows


# --- writes -----------------------------------------------------------------


def _require_curator(actor: User, project: Project) -> None:
    if not roles.can_moderate(actor, project):
        raise PermissionDenied("Only curators and admins run coding rounds.")


@transaction.atomic
def round_open(
    *,
    actor: User,
    project: Project,
    name: str,
    documents: Collection[Document],
    coders: Collection[User],
) -> CodingRound:
    """Open a blind round on ``documents`` of ``project`` for ``coders``
    (members who can annotate). Raises ``ValidationError`` with per-field
    messages for a bad choice; nothing is written then."""
    _require_curator(actor, project)
    errors: dict[str, list[str]] = defaultdict(list)
    name = " ".join(name.split())
    if not name:
        errors["name"].append("Give the round a name.")
    if len(name) > 100:
        errors["name"].append("At most 100 characters.")
    if not documents:
        errors["documents"].append("Choose at least one document.")
    if any(d.project_id != project.pk for d in documents):
        errors["documents"].append("Unknown document.")
    if len(coders) < 2:
        errors["coders"].append("Choose at least two coders.")
    if any(not roles.can_annotate(c, project) for c in coders):
        errors["coders"].append("Every coder must be a member who can annotate.")
    busy = CodingRound.objects.open().filter(
        project=project, documents__in=list(documents)
    )
    if busy.exists():
        errors["documents"].append("A document is already in an open round.")
    if errors:
        raise ValidationError(dict(errors))
    coding_round = CodingRound.objects.create(
        project=project, name=name, opened_by=actor
    )
    coding_round.documents.set(list(documents))
    coding_round.coders.set(list(coders))
    _log(coding_round, actor, Activity.Verb.ROUND_OPENED, "opened")
    return coding_round


@transaction.atomic
def round_close(*, actor: User, coding_round: CodingRound) -> CodingRound:
    """Close an open round: its coders see each other's annotations again."""
    _require_curator(actor, coding_round.project)
    locked = CodingRound.objects.select_for_update().get(pk=coding_round.pk)
    if locked.closed is not None:
        raise ValidationError("This round is already closed.")
    locked.closed = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["closed", "closed_by"])
    # The caller's copy too: it is what they compute the round's agreement from.
    coding_round.closed, coding_round.closed_by = locked.closed, actor
    # Nothing to re-index: the index holds everyone's themes already, and
    # search recomputes them per person only while a round is open.
    _log(locked, actor, Activity.Verb.ROUND_CLOSED, "closed")
    return locked


def _log(coding_round: CodingRound, actor: User, verb: str, word: str) -> None:
    coders = ", ".join(sorted(c.get_username() for c in coding_round.coders.all()))
    count = coding_round.documents.count()
    summary = (
        f"{word} the blind round “{coding_round.name}” on {count} "
        f"document{'s' if count != 1 else ''} for {coders}"
    )
    Activity.objects.create(
        project=coding_round.project, actor=actor, verb=verb, summary=summary
    )


def round_summary(coding_round: CodingRound) -> dict[str, Any]:
    """What the rounds page shows of one round."""
    return {
        "round": coding_round,
        "documents": list(coding_round.documents.order_by("source_name")),
        "coders": sorted(c.get_username() for c in coding_round.coders.all()),
        "annotations": round_annotations(coding_round).count(),
    }
