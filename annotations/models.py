"""The codebook (``Theme``), annotations on paragraph spans, memos and activity.

- ``Theme`` is django-taggit's tag model: a ``TagBase`` with definitions, a
  colour and a GUID (REFI-QDA interchange). Retired themes stay on the
  annotations that have them but are no longer offered.
- ``Annotation`` is a span of one paragraph: ``start``/``end`` are code-point
  offsets into ``Paragraph.text`` (end exclusive); ``quote`` with ``prefix`` and
  ``suffix`` lets re-ingestion find it again. It belongs to its document for
  good; its paragraph is replaced when the document is re-ingested, and an
  annotation that cannot be placed again is kept as ``orphaned`` (no paragraph)
  rather than lost. ``Paragraph`` deletion is RESTRICTed so nothing can delete
  annotated paragraphs without going through re-anchoring first.
- ``TaggedAnnotation`` is the through model (one row per annotation and theme).
- ``Memo``: an analytic note by a member on a theme, a document, a passage
  (annotation), or on none of them (the project's research journal).
- ``Activity`` is the team's log.
- ``CodingRound``: a blind coding round on some documents for some coders
  (``annotations.rounds`` holds the visibility rule and its services).
- ``ConsensusDecision``: a curator's settlement of a unit (a paragraph) and a
  theme where coders differ; the decisions with ``present`` are the consensus
  layer (``annotations.adjudication``).

Each theme, memo and log entry belongs to one project (``accounts.Project``);
an annotation belongs to its document's project.

Writes go through ``annotations.services``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from accounts.models import Project
from corpus.models import Document, Paragraph

NOTE_MAX_LENGTH = 5000
HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour like #2f5d8a.")


class ThemeQuerySet(models.QuerySet["Theme"]):
    def active(self) -> ThemeQuerySet:
        """Themes offered in pickers: not retired."""
        return self.filter(retired=False)


# The codebook's order: siblings by position, then name; retired ones last.
CODEBOOK_ORDER = ("retired", "position", "name")


class Theme(TagBase):
    """A code of a project's codebook (django-taggit tag)."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="themes"
    )
    # Taggit's name and slug are unique installation-wide; here per project.
    name = models.CharField("name", max_length=100)
    slug = models.SlugField("slug", max_length=100, allow_unicode=True)

    description = models.TextField(blank=True, help_text="What the theme means.")
    inclusion = models.TextField(
        "inclusion notes", blank=True, help_text="What to code with it."
    )
    exclusion = models.TextField(
        "exclusion notes", blank=True, help_text="What not to code with it."
    )
    colour = models.CharField(max_length=7, default="#2f5d8a", validators=[HEX_COLOUR])
    guid = models.UUIDField(
        "GUID", default=uuid.uuid4, editable=False, help_text="REFI-QDA."
    )
    retired = models.BooleanField(
        default=False, help_text="Hidden from pickers; kept on existing annotations."
    )
    # The code hierarchy: a tree a few levels deep. PROTECT: a parent leaves
    # only by a merge (its children move to the target) or by moving them.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The broader theme this one refines (empty: a top-level theme).",
    )
    # Order among its siblings in the codebook (then by name: all 0 at first,
    # so an untouched codebook reads alphabetically); services.theme_reorder.
    position = models.PositiveIntegerField(
        default=0, help_text="Order among the themes under the same parent."
    )
    created = models.DateTimeField(auto_now_add=True)
    # Bumped by every write (services): a form or API call that read version
    # N may write only while it is still N (no lost updates).
    version = models.PositiveIntegerField(default=1)

    # Replaces taggit's NaturalKeyManager on purpose. Django lets a model
    # redefine its abstract base's ``objects``; mypy reads it as an incompatible
    # override of a class variable.
    objects = ThemeQuerySet.as_manager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["name"]
        verbose_name = "theme"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="theme_unique_name"
            ),
            models.UniqueConstraint(
                fields=["project", "slug"], name="theme_unique_slug"
            ),
            models.UniqueConstraint(
                fields=["project", "guid"], name="theme_unique_guid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaggedAnnotation(TaggedItemBase):
    """One theme on one annotation (taggit's through model)."""

    # PROTECT: a theme leaves annotations only by a merge (services.theme_merge).
    # Overriding the abstract base's ``tag`` is taggit's way to a custom tag
    # model; mypy cannot express a field redefined with a narrower target.
    tag = models.ForeignKey(  # type: ignore[assignment]
        Theme, on_delete=models.PROTECT, related_name="tagged_annotations"
    )
    content_object = models.ForeignKey(
        "Annotation", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="tagged_annotation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"annotation {self.content_object_id} · {self.tag_id}"


class AnnotationQuerySet(models.QuerySet["Annotation"]):
    def in_project(self, project: Project | None) -> AnnotationQuerySet:
        """Annotations on ``project``'s documents; none without a project."""
        return self.filter(document__project=project) if project else self.none()

    def anchored(self) -> AnnotationQuerySet:
        return self.filter(orphaned=False)

    def for_display(self) -> AnnotationQuerySet:
        """With author, paragraph, document and themes fetched alongside."""
        return self.select_related(
            "author", "paragraph__document", "document"
        ).prefetch_related("themes")


class Origin(models.TextChoices):
    """How an annotation was made: agreement leaves out bulk and search-result
    tagging unless asked (they are not independent close readings)."""

    MANUAL = "manual", "in the reader"
    BULK = "bulk", "bulk tagging"
    SEARCH = "search", "tagging a search result"
    IMPORT = "import", "imported"


class Annotation(models.Model):
    """A span of one paragraph tagged with one or more themes, by one person."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="annotations"
    )
    paragraph = models.ForeignKey(
        Paragraph,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="annotations",
    )
    start = models.PositiveIntegerField(help_text="Code-point offset, inclusive.")
    end = models.PositiveIntegerField(help_text="Code-point offset, exclusive.")
    quote = models.TextField()
    prefix = models.TextField(blank=True)
    suffix = models.TextField(blank=True)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    # PROTECT: research data keeps its attribution; deactivate people instead.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    orphaned = models.BooleanField(
        default=False,
        help_text="Re-ingestion could not find the quote again; no paragraph.",
    )
    # The id or IRI of the annotation this one was imported from (W3C id,
    # REFI-QDA selection GUID): importing the same file twice adds nothing.
    source_id = models.CharField(max_length=500, blank=True, db_index=True)
    # Where the annotation was before it was orphaned: a hint for re-anchoring.
    last_position = models.PositiveIntegerField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Bumped by every edit (services): see Theme.version.
    version = models.PositiveIntegerField(default=1)
    origin = models.CharField(
        max_length=10,
        choices=Origin.choices,
        default=Origin.MANUAL,
        help_text="How it was made (agreement leaves out bulk and search tags).",
    )

    themes = TaggableManager(through=TaggedAnnotation, blank=False)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["document", "paragraph__position", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="annotation_nonempty_span"
            ),
            models.CheckConstraint(
                condition=Q(orphaned=True, paragraph__isnull=True)
                | Q(orphaned=False, paragraph__isnull=False),
                name="annotation_orphaned_iff_no_paragraph",
            ),
        ]
        indexes = [models.Index(fields=["author", "-created"])]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 40 else self.quote[:39] + "…"
        return f"“{quote}” ({self.author})"

    @property
    def is_whole_paragraph(self) -> bool:
        return (
            self.paragraph is not None
            and self.start == 0
            and self.end == len(self.paragraph.text)
        )


def _memo_subject(model: type[models.Model]) -> models.ForeignKey:
    """A memo's optional subject; the memo goes with it."""
    return models.ForeignKey(
        model, models.CASCADE, null=True, blank=True, related_name="memos"
    )


class MemoQuerySet(models.QuerySet["Memo"]):
    def for_display(self) -> MemoQuerySet:
        return self.select_related("author", "theme", "document", "annotation")


class Memo(models.Model):
    """An analytic note: on one theme, one document or one passage, or on the
    project (all three empty: the research journal)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="memos")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memos"
    )
    text = models.TextField(max_length=NOTE_MAX_LENGTH)
    theme = _memo_subject(Theme)
    document = _memo_subject(Document)
    annotation = _memo_subject(Annotation)
    guid = models.UUIDField(
        "GUID", default=uuid.uuid4, editable=False, help_text="REFI-QDA."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = MemoQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # At most one subject: a memo is about one thing (or the project).
            models.CheckConstraint(
                condition=~Q(theme__isnull=False, document__isnull=False)
                & ~Q(theme__isnull=False, annotation__isnull=False)
                & ~Q(document__isnull=False, annotation__isnull=False),
                name="memo_one_subject",
            ),
            # GUIDs come from REFI-QDA files too: unique within a project.
            models.UniqueConstraint(
                fields=["project", "guid"], name="memo_unique_guid"
            ),
        ]

    def __str__(self) -> str:
        return f"memo by {self.author} on {self.subject_label}"

    @property
    def subject_label(self) -> str:
        if self.theme_id:
            return f"theme {self.theme}"
        if self.document_id:
            return f"document {self.document}"
        if self.annotation_id:
            return f"passage {self.annotation_id}"
        return "the project"


class Activity(models.Model):
    """One entry of the team's activity log, written by the services."""

    class Verb(models.TextChoices):
        ANNOTATED = "annotated"
        EDITED = "edited"
        DELETED = "deleted"
        BULK_TAGGED = "bulk-tagged"
        THEME_ADDED = "theme-added"
        THEME_CHANGED = "theme-changed"
        THEME_MERGED = "theme-merged"
        THEME_RETIRED = "theme-retired"
        THEME_RESTORED = "theme-restored"
        THEME_MOVED = "theme-moved"
        THEME_REORDERED = "theme-reordered"
        MEMO_WRITTEN = "memo-written"
        MEMO_DELETED = "memo-deleted"
        REANCHORED = "re-anchored"
        IMPORTED = "imported"
        # Curation of documents and records (corpus.curation).
        DOCUMENT_EDITED = "document-edited"
        DOCUMENT_DELETED = "document-deleted"
        RECORDS_MERGED = "records-merged"
        RECORD_SPLIT = "record-split"
        KIND_CHANGED = "kind-changed"
        RECORD_HIDDEN = "record-hidden"
        RECORD_SHOWN = "record-shown"
        # Blind coding rounds (annotations.rounds).
        ROUND_OPENED = "round-opened"
        ROUND_CLOSED = "round-closed"
        # Adjudication (annotations.consensus).
        CONSENSUS_DECIDED = "consensus-decided"
        CONSENSUS_CLEARED = "consensus-cleared"
        # Undo and history (annotations.undo).
        THEME_DELETED = "theme-deleted"
        UNDONE = "undone"

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="activity"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity",
        help_text="Empty for the system (re-ingestion).",
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    summary = models.TextField()
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True
    )
    paragraph = models.ForeignKey(
        Paragraph, on_delete=models.SET_NULL, null=True, blank=True
    )
    # No FK: the log outlives deleted annotations.
    annotation_id = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    # What an undo needs to restore the state before this entry exactly (see
    # annotations.undo: one key layout per verb); empty: cannot be undone.
    snapshot = models.JSONField(default=dict, blank=True)
    # The "undone" entry that reversed this one; set once (one-to-one).
    undone_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="undoes",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "activity"
        # The log's pages: newest first, in the project, by person or action.
        indexes = [
            models.Index(fields=["project", "created", "id"], name="activity_page"),
            models.Index(
                fields=["project", "actor", "created", "id"], name="activity_by_actor"
            ),
            models.Index(
                fields=["project", "verb", "created", "id"], name="activity_by_verb"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor or 'system'}: {self.verb}"


class AnnotationChange(models.Model):
    """One created, edited or deleted annotation, for the reader's live updates.

    The id is the change cursor: the services lock the document's row before
    writing one, so within a document ids grow in commit order and a reader
    that has seen id N has seen every earlier change (``annotations.live``).
    """

    class Kind(models.TextChoices):
        CREATED = "created"
        EDITED = "edited"
        DELETED = "deleted"

    id = models.BigAutoField(primary_key=True)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="annotation_changes"
    )
    # No FK: a deletion's change outlives its annotation.
    annotation_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["document", "id"], name="change_cursor")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} annotation {self.annotation_id}"


class ReaderPresence(models.Model):
    """Who has a document's reading page open: refreshed by its live poll."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="readers"
    )
    seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "user"], name="reader_presence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} reading {self.document_id} at {self.seen:%H:%M:%S}"


class CodingRoundQuerySet(models.QuerySet["CodingRound"]):
    def open(self) -> CodingRoundQuerySet:
        return self.filter(closed__isnull=True)


class CodingRound(models.Model):
    """A blind coding round: while open, each of its coders sees only their own
    annotations on its documents (``annotations.rounds``); closing it reveals
    them and fixes the round's window for agreement."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="coding_rounds"
    )
    name = models.CharField(max_length=100)
    documents = models.ManyToManyField(Document, related_name="coding_rounds")
    coders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coding_rounds"
    )
    opened = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rounds_opened",
    )
    closed = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds_closed",
    )

    objects = CodingRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opened", "-id"]
        verbose_name = "coding round"

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed is None


class ConsensusDecisionQuerySet(models.QuerySet["ConsensusDecision"]):
    def in_project(self, project: Project | None) -> ConsensusDecisionQuerySet:
        """``project``'s decisions; none without a project."""
        return self.filter(project=project) if project else self.none()

    def present(self) -> ConsensusDecisionQuerySet:
        """The consensus layer's codings: the theme is on the unit."""
        return self.filter(present=True)


class ConsensusDecision(models.Model):
    """A curator's settlement of one unit and theme: whether the consensus
    layer has ``theme`` on ``paragraph`` (``present``) or not.

    The unit is a paragraph (``unit_start``/``unit_end`` span it whole, so
    sentence units can come later as narrower spans of the same paragraph).
    Written by ``annotations.consensus``; one decision per unit and theme,
    changed in place when a curator decides again.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="consensus_decisions"
    )
    # CASCADE: a re-ingested or curated record is a new unit to settle again.
    paragraph = models.ForeignKey(
        Paragraph, on_delete=models.CASCADE, related_name="consensus_decisions"
    )
    unit_start = models.PositiveIntegerField(default=0)
    unit_end = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: to the end of the paragraph."
    )
    # PROTECT: a theme leaves decisions only by a merge (they follow it).
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="consensus_decisions"
    )
    present = models.BooleanField(help_text="The consensus has the theme here.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consensus_decisions",
    )
    decided_at = models.DateTimeField(db_index=True)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    objects = ConsensusDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["paragraph__document", "paragraph__position", "theme__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "unit_start", "theme"],
                name="consensus_one_decision_per_unit_theme",
            )
        ]

    def __str__(self) -> str:
        word = "has" if self.present else "lacks"
        return f"consensus {word} {self.theme_id} on ¶ {self.paragraph_id}"


class ActivityTheme(models.Model):
    """A theme an activity entry is about (the log's theme filter).

    No foreign key to the theme: the log outlives merged and deleted themes,
    and an undo brings a theme back with its old id."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="theme_links"
    )
    theme_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["theme_id", "activity"], name="activity_theme")]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "theme_id"], name="activity_theme_unique"
            )
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id} · theme {self.theme_id}"
