"""What annotations do when the corpus below changes (``corpus.hooks``).

Registered by ``AnnotationsConfig.ready``; each method runs inside the
corpus service's transaction and calls the matching service here.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User

from accounts.models import Project
from annotations import selectors, services
from corpus.hooks import Orphan, SplitOutcome
from corpus.models import Document, Paragraph


class AnnotationsFollowRecords:
    """Annotations stay on their characters through re-ingestion and curation."""

    def records_replacing(self, document: Document) -> None:
        services.annotations_detach(document=document)

    def records_replaced(self, document: Document) -> int:
        return services.annotations_reanchor(document=document).placed

    def orphans(self, document: Document) -> Sequence[Orphan]:
        found = selectors.orphaned_annotations(document.project).filter(
            document=document
        )
        return [Orphan(a.id, a.quote) for a in found.order_by("id")]

    def records_merged(self, into: Paragraph, source: Paragraph, shift: int) -> int:
        return services.annotations_follow_merge(into=into, source=source, shift=shift)

    def record_split(
        self, first: Paragraph, second: Paragraph, old_text: str, cut: int, resume: int
    ) -> SplitOutcome:
        return services.annotations_follow_split(
            first=first, second=second, old_text=old_text, cut=cut, resume=resume
        )

    def document_deleting(self, document: Document) -> int:
        return services.annotations_delete_for_document(document=document)

    def curated(  # noqa: PLR0913 - one log entry's fields
        self,
        project: Project,
        actor: User | None,
        verb: str,
        summary: str,
        document: Document | None,
        paragraph: Paragraph | None,
    ) -> None:
        services.curation_log(
            project=project,
            actor=actor,
            verb=verb,
            summary=summary,
            document=document,
            paragraph=paragraph,
        )


FOLLOW_RECORDS = AnnotationsFollowRecords()
