"""Live updates of the reading page: what changed since a cursor, and who is
reading.

The reader (static/js/reader.js) polls ``GET /api/documents/{slug}/live``
every couple of seconds with the last cursor it saw. Everything is in the
database, so it works the same with several gunicorn workers and hosts:

- **Changes.** The annotation services add an ``AnnotationChange`` row per
  created, edited or deleted annotation in the same transaction, after
  locking the document's row; so within a document change ids grow in commit
  order and "every change with an id above the cursor" misses nothing. The
  changed annotations are read back through ``selectors.annotations_matching``,
  the selector the reader's own list uses: any visibility rule added there
  applies to live updates too. An id that it does not return (deleted, or
  not visible to this reader) is sent as removed.
- **Presence.** The poll refreshes a ``ReaderPresence`` row per person and
  document, writing at most once every ``PRESENCE_WRITE_EVERY`` seconds
  (it reads first, so a poll that has nothing to record does not write, and
  on SQLite takes no write lock). Readers are those seen in the last
  ``PRESENCE_WINDOW`` seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from accounts.models import Project
from annotations import selectors
from annotations.models import Annotation, AnnotationChange, ReaderPresence
from corpus.models import Document

PRESENCE_WRITE_EVERY = 10  # seconds: at most one presence write per person/document
PRESENCE_WINDOW = 30  # seconds: a reader seen this recently is "reading"
# More changed annotations than this since the cursor: the reader reloads its
# list instead (a page left open overnight).
MAX_CHANGES = 500


@dataclass(frozen=True)
class Changes:
    """What a reader at ``since`` needs to catch up to ``cursor``."""

    cursor: int
    annotations: list[Annotation]  # changed and visible: add or replace
    removed: list[int]  # deleted (or no longer visible): drop
    reset: bool = False  # too many: reload the whole list


def current_cursor(document: Document) -> int:
    """The id of the document's latest change (0: none yet)."""
    latest = AnnotationChange.objects.filter(document=document).aggregate(Max("id"))
    return latest["id__max"] or 0


def changes_since(
    project: Project | None,
    document: Document,
    since: int,
    viewer: User | None = None,
) -> Changes:
    """The document's annotations changed after cursor ``since``, read through
    the reader's own selector (``selectors.annotations_matching``), as
    ``viewer`` may see them: what a blind round hides from them is "removed"."""
    rows = AnnotationChange.objects.filter(document=document, id__gt=since)
    changed = list(rows.order_by("id").values_list("id", "annotation_id"))
    if not changed:
        return Changes(since, [], [])
    cursor = changed[-1][0]
    ids = list(dict.fromkeys(annotation_id for _, annotation_id in changed))
    if len(ids) > MAX_CHANGES:
        return Changes(cursor, [], [], reset=True)
    listing = selectors.annotations_matching(
        selectors.AnnotationFilters(project, document=document, viewer=viewer)
    )
    visible = list(listing.filter(pk__in=ids))
    seen = {annotation.pk for annotation in visible}
    return Changes(cursor, visible, [pk for pk in ids if pk not in seen])


def presence_touch(*, user: User, document: Document) -> bool:
    """Record that ``user`` has ``document`` open; True if it wrote.

    Reads first and writes only when the row is missing or older than
    ``PRESENCE_WRITE_EVERY`` seconds, so twenty readers polling every two
    seconds write about twice a second in all, not ten times.
    """
    now = timezone.now()
    seen = (
        ReaderPresence.objects.filter(user=user, document=document)
        .values_list("seen", flat=True)
        .first()
    )
    if seen is not None and now - seen < dt.timedelta(seconds=PRESENCE_WRITE_EVERY):
        return False
    with transaction.atomic():
        if seen is not None:
            ReaderPresence.objects.filter(user=user, document=document).update(seen=now)
            return True
        try:
            with transaction.atomic():  # a savepoint: another poll may have won
                ReaderPresence.objects.create(user=user, document=document, seen=now)
        except IntegrityError:
            return False
    return True


def readers(document: Document, *, besides: User | None = None) -> QuerySet[User]:
    """The people seen reading ``document`` in the last ``PRESENCE_WINDOW``
    seconds (``besides`` left out), by name."""
    since = timezone.now() - dt.timedelta(seconds=PRESENCE_WINDOW)
    seen = ReaderPresence.objects.filter(document=document, seen__gte=since)
    people = User.objects.filter(pk__in=seen.values("user_id"), is_active=True)
    if besides is not None:
        people = people.exclude(pk=besides.pk)
    return people.order_by("first_name", "last_name", "username")
