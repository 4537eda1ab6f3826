"""Writes of the consensus layer: a curator settles a unit (a paragraph) and
a theme where coders differ, or adds a theme nobody applied.

Each service is keyword-only, runs inside ``transaction.atomic``, checks the
role (Curator and up: ``PermissionDenied`` otherwise; the views check first),
raises ``ValidationError`` with a ``{field: [message]}`` dict, and writes an
``Activity`` entry. A decision is one row per unit and theme: deciding again
changes it (the queue's "change" action), clearing it sends the unit back to
the queue. The coders' own annotations are never touched: the consensus is a
layer beside them (``annotations.adjudication`` reads it).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import Project
from annotations.models import NOTE_MAX_LENGTH, Activity, ConsensusDecision, Theme
from corpus.models import Paragraph


@transaction.atomic
def consensus_decide(
    *,
    actor: User,
    project: Project,
    paragraph: Paragraph,
    theme: Theme,
    present: bool,
    note: str = "",
) -> ConsensusDecision:
    """Record that the consensus has (``present``) or lacks ``theme`` on
    ``paragraph``, by ``actor``, now; replaces an earlier decision on the same
    unit and theme. Both must be ``project``'s; a retired theme may be
    removed but not kept or added."""
    _require_curator(actor, project)
    errors = _check(project, paragraph, theme, present, note)
    if errors:
        raise ValidationError(errors)
    decision, created = _for_update().get_or_create(
        paragraph=paragraph,
        unit_start=0,
        theme=theme,
        defaults=_fields(actor, project, present, note),
    )
    if not created:
        for name, value in _fields(actor, project, present, note).items():
            setattr(decision, name, value)
        decision.save()
    verb = "has" if present else "lacks"
    summary = f"consensus {verb} {theme.name}"
    _log(actor, project, paragraph, summary, changed=not created)
    return decision


@transaction.atomic
def consensus_clear(
    *, actor: User, project: Project, decision: ConsensusDecision
) -> None:
    """Withdraw a decision: its unit returns to the queue (if coders differ)."""
    _require_curator(actor, project)
    if decision.project_id != project.pk:
        raise ValidationError({"decision": ["Unknown decision."]})
    paragraph, theme = decision.paragraph, decision.theme
    decision.delete()
    Activity.objects.create(
        project=project,
        actor=actor,
        verb=Activity.Verb.CONSENSUS_CLEARED,
        summary=f"withdrew the consensus on {theme.name} in ¶ {paragraph.position}",
        document_id=paragraph.document_id,
        paragraph=paragraph,
    )


def consensus_follow_merge(*, source: Theme, target: Theme) -> int:
    """Before ``source`` is merged into ``target`` (``services.theme_merge``,
    in its transaction): its decisions move to ``target``, except where
    ``target`` has its own decision on the unit (that one stands). Returns
    how many moved."""
    decided = ConsensusDecision.objects.filter(theme=target).values("paragraph_id")
    moving = ConsensusDecision.objects.filter(theme=source)
    moving.filter(paragraph_id__in=decided).delete()
    return moving.update(theme=target)


def _fields(actor: User, project: Project, present: bool, note: str) -> dict:
    return {
        "project": project,
        "present": present,
        "decided_by": actor,
        "decided_at": timezone.now(),
        "note": note.strip(),
    }


def _for_update():  # type: ignore[no-untyped-def]
    """Decisions locked while read for a change (PostgreSQL; SQLite locks the
    database anyway)."""
    return ConsensusDecision.objects.select_for_update()


def _check(
    project: Project, paragraph: Paragraph, theme: Theme, present: bool, note: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if theme.project_id != project.pk:
        errors["theme"] = ["Unknown theme."]
    elif present and theme.retired:
        errors["theme"] = [f"“{theme.name}” is retired; restore it first."]
    if paragraph.document.project_id != project.pk or paragraph.hidden:
        errors["paragraph"] = ["Unknown paragraph."]
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [f"A note has at most {NOTE_MAX_LENGTH} characters."]
    return errors


def _require_curator(actor: User, project: Project) -> None:
    if not roles.can_moderate(actor, project):
        raise PermissionDenied("Only curators can settle disagreements.")


def _log(
    actor: User, project: Project, paragraph: Paragraph, summary: str, changed: bool
) -> None:
    where = f"{summary} in {paragraph.document.display_title} ¶ {paragraph.position}"
    Activity.objects.create(
        project=project,
        actor=actor,
        verb=Activity.Verb.CONSENSUS_DECIDED,
        summary=f"{where} (changed)" if changed else where,
        document_id=paragraph.document_id,
        paragraph=paragraph,
    )
