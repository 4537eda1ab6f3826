"""The index outbox: paragraph ids whose index entry may be out of date.

A change to paragraphs (or, later, to their themes) adds rows here in the same
database transaction as the change itself, so the change and the promise to
index it commit or roll back together. ``search.outbox.drain`` applies rows to
the index and deletes them only after the index commit, so a process killed in
between loses nothing: the rows are still here and applying one twice is
harmless (the drainer re-reads the paragraph, or removes it if it is gone).
"""

from __future__ import annotations

from django.db import models


class IndexOutbox(models.Model):
    """One pending "re-index this paragraph" request."""

    id = models.BigAutoField(primary_key=True)
    # Not a foreign key: the row must outlive a deleted paragraph, whose index
    # entry it exists to remove.
    paragraph_id = models.BigIntegerField(db_index=True)
    # Part of a large change (a big document ingested): applied after the
    # small ones queued meanwhile, and a search does not wait for it.
    background = models.BooleanField(default=False)
    # Who made the change (a user's id; None for a command or an ingest). A
    # search waits for its own person's rows only, not for everyone's queue.
    # Not a foreign key, like paragraph_id: the row outlives nothing it names.
    actor_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["background", "id"], name="outbox_order"),
            models.Index(fields=["actor_id", "id"], name="outbox_actor"),
        ]
        verbose_name = "index outbox row"

    def __str__(self) -> str:
        return f"reindex paragraph {self.paragraph_id}"
