"""Documents and their ordered paragraph records.

A ``Document`` is one source file; its ``Paragraph`` rows are what ingestion
made of it, numbered from 0 in reading order. Paragraph text is NFC with
``\\n`` line endings; offsets into it are Python code points, end exclusive. A
document's plain text is its paragraphs' texts joined by ``"\\n\\n"``. An
``IngestJob`` is one uploaded file on its way through the task worker.

Writes go through ``corpus.services``; the read helpers live on the QuerySets.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Project


class DocumentQuerySet(models.QuerySet["Document"]):
    def in_project(self, project: Project | None) -> DocumentQuerySet:
        """The documents of ``project``; none without one (a person with no
        project sees nothing, never everything)."""
        return self.filter(project=project) if project else self.none()

    def with_kind_counts(self) -> DocumentQuerySet:
        """Annotate ``<kind>_count`` for every paragraph kind (one query),
        counting visible records only (what the reading page shows).

        Keeps the queryset's ordering, else ``Meta.ordering``: Django drops the
        latter from aggregating queries, which would leave the order undefined.
        """
        counts = {
            f"{kind}_count": Count(
                "paragraphs", filter=Q(paragraphs__kind=kind, paragraphs__hidden=False)
            )
            for kind in Paragraph.Kind.values
        }
        # ``or ()``: Meta.ordering is typed as optional (it is ``[]`` when unset).
        ordering = self.query.order_by or self.model._meta.ordering or ()
        return self.annotate(**counts).order_by(*ordering)

    def by_name(self, name: str) -> Document | None:
        """The document whose source file name, or else slug, is ``name``."""
        return self.filter(source_name=name).first() or self.filter(slug=name).first()


class Document(models.Model):
    """One source file of the corpus, with citation metadata.

    ``source_name``, ``slug`` and ``iri`` are fixed when the document is first
    ingested and never change, so links and exported citations stay valid.
    Title, authors, affiliation and year come from the manifest or the admin;
    empty means unknown.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="documents"
    )
    source_name = models.CharField(
        max_length=255, help_text="File name the document came from."
    )
    slug = models.SlugField(max_length=255, editable=False)
    iri = models.CharField(
        "IRI",
        max_length=500,
        editable=False,
        help_text="Stable identifier used in exports and citations.",
    )
    content_hash = models.CharField(
        max_length=64, editable=False, help_text="SHA-256 of the source file's bytes."
    )
    title = models.CharField(max_length=500, blank=True)
    authors = models.JSONField(
        default=list, blank=True, help_text="Author names, in citation order."
    )
    affiliation = models.CharField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(
        max_length=8, blank=True, help_text="Main language detected at ingestion."
    )
    ingested_at = models.DateTimeField(default=timezone.now, editable=False)
    source_file = models.FileField(
        max_length=500,
        blank=True,
        editable=False,
        help_text="The original file of the current version (under MEDIA_ROOT).",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["source_name"]
        # Names, slugs and IRIs are unique within a project: two projects may
        # hold the same file.
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source_name"], name="document_unique_source_name"
            ),
            models.UniqueConstraint(
                fields=["project", "slug"], name="document_unique_slug"
            ),
            models.UniqueConstraint(
                fields=["project", "iri"], name="document_unique_iri"
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("corpus:document_detail", kwargs={"slug": self.slug})

    @property
    def display_title(self) -> str:
        """The title, or the source file name while the title is unknown."""
        return self.title or self.source_name

    def kind_counts(self) -> dict[str, int]:
        """Paragraph counts by kind, in ``Paragraph.Kind`` order, zeros included.

        Uses the ``with_kind_counts`` annotations when present, else one query.
        """
        kinds = Paragraph.Kind.values
        if all(hasattr(self, f"{kind}_count") for kind in kinds):
            return {kind: getattr(self, f"{kind}_count") for kind in kinds}
        rows = self.paragraphs.values_list("kind").annotate(n=Count("id"))
        found = dict(rows.order_by())
        return {kind: found.get(kind, 0) for kind in kinds}


class ParagraphQuerySet(models.QuerySet["Paragraph"]):
    def in_project(self, project: Project | None) -> ParagraphQuerySet:
        """The records of ``project``'s documents; none without a project."""
        return self.filter(document__project=project) if project else self.none()

    def in_reading_order(self) -> ParagraphQuerySet:
        """Documents by source name, each document's records by position."""
        return self.order_by("document__source_name", "position")

    def visible(self) -> ParagraphQuerySet:
        """Records readers see: not hidden as furniture by a curator. Every
        reader of records (reading page, search index, exports, agreement)
        starts here; only curation tools see the hidden ones."""
        return self.filter(hidden=False)

    def of_kind(self, *kinds: str) -> ParagraphQuerySet:
        return self.filter(kind__in=kinds)

    def body(self) -> ParagraphQuerySet:
        """Running text: headings and paragraphs, without apparatus or meta."""
        return self.of_kind(Paragraph.Kind.HEADING, Paragraph.Kind.PARAGRAPH)

    def for_export(self) -> ParagraphQuerySet:
        """Reading order with the document fetched alongside each record."""
        return self.select_related("document").in_reading_order()


class Paragraph(models.Model):
    """One record of a document: a heading, paragraph, footnote, reference or meta.

    Records are derived data: re-ingesting a changed source file replaces all
    of a document's records. Curators correct them through ``corpus.curation``
    (merge, split, kind, hide), never by hand, so annotations and the index
    follow; re-ingesting the document replaces those corrections too.
    """

    class Kind(models.TextChoices):
        HEADING = "heading"
        PARAGRAPH = "paragraph"
        FOOTNOTE = "footnote"
        REFERENCE = "reference"
        META = "meta"

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="paragraphs"
    )
    position = models.PositiveIntegerField(help_text="0-based, in reading order.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    section = models.TextField(
        blank=True, help_text="Heading of the enclosing section."
    )
    page = models.PositiveIntegerField(null=True, blank=True)
    lang = models.CharField("language", max_length=8, blank=True)
    label = models.CharField(
        max_length=16, blank=True, help_text="A footnote's number or mark as printed."
    )
    text = models.TextField(help_text="NFC-normalised, \\n line endings.")
    # Set by a curator for furniture ingestion missed (a running head, a page
    # number): left out of the reading page, search, exports and agreement,
    # but kept (with its annotations) so it can be shown again.
    hidden = models.BooleanField(default=False)

    objects = ParagraphQuerySet.as_manager()

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="paragraph_unique_position"
            ),
        ]
        indexes = [models.Index(fields=["document", "kind"])]

    def __str__(self) -> str:
        return f"{self.document.source_name} #{self.position} ({self.kind})"

    def get_absolute_url(self) -> str:
        return f"{self.document.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        """Fragment id of this record on the reading page (``p-<position>``)."""
        return f"p-{self.position}"


def _upload_path(job: IngestJob, filename: str) -> str:
    """``uploads/2025/06/<random>/<name>``: a folder per upload, so two files of
    the same name never overwrite each other."""
    from django.utils.crypto import get_random_string

    day = timezone.now().strftime("%Y/%m")
    return f"uploads/{day}/{get_random_string(12).lower()}/{filename}"


class IngestJobQuerySet(models.QuerySet["IngestJob"]):
    def in_project(self, project: Project | None) -> IngestJobQuerySet:
        return self.filter(project=project) if project else self.none()

    def recent(self, limit: int = 20) -> IngestJobQuerySet:
        return self.select_related("document", "created_by").order_by("-id")[:limit]


class IngestJob(models.Model):
    """One uploaded file to ingest in the background, and what became of it.

    ``status`` moves queued → running → done | duplicate | failed. A job left
    ``running`` by a worker that died (no heartbeat for the lease) is
    *interrupted*: nothing of it was written (the write is one transaction)
    and it can be queued again. ``result`` holds the summary shown on the
    upload page (records by kind, warnings, a preview, orphaned annotations).
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        DUPLICATE = "duplicate"
        FAILED = "failed"

    # What a running job reports in ``stage``, in order (document_ingest's).
    STAGES = ("starting", "reading", "cleaning", "writing")
    STEPS = len(STAGES) + 1

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="ingest_jobs"
    )
    file = models.FileField(upload_to=_upload_path, max_length=500)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL
    )
    version_of = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Chosen on the upload page: replace this document's records.",
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = IngestJobQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def interrupted(self) -> bool:
        """Running, but its worker has not beaten within the lease: it died."""
        if self.status != self.Status.RUNNING:
            return False
        lease = settings.GLOSS_INGEST_LEASE_SECONDS
        beat = self.heartbeat_at or self.started_at or self.created_at
        return (timezone.now() - beat).total_seconds() > lease

    @property
    def active(self) -> bool:
        """Still to watch: queued, or running with a live worker."""
        queued = self.status == self.Status.QUEUED
        return queued or (self.status == self.Status.RUNNING and not self.interrupted)

    @property
    def step(self) -> int:
        """Progress for the page's bar: 0 queued, 1-4 the stages, 5 finished."""
        if self.status == self.Status.QUEUED:
            return 0
        if self.status != self.Status.RUNNING:
            return self.STEPS
        return self.STAGES.index(self.stage) + 1 if self.stage in self.STAGES else 1

    @property
    def retryable(self) -> bool:
        return self.interrupted or self.status == self.Status.FAILED
