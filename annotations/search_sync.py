"""The one place annotation writes tell search that paragraphs changed.

Every service in ``annotations.services`` that changes which themes a
paragraph carries (annotation create/update/delete, bulk tagging, theme
rename/merge/retire, re-anchoring) calls ``paragraphs_changed`` with the
affected paragraph ids *inside its transaction*, so the notice commits or
rolls back with the change itself: with Whoosh it writes search's index outbox
rows, which the single drainer applies after commit (or, at the latest, before
the next search, so the person who tagged finds the tag at once); with the
PostgreSQL engine it writes the index entries themselves, in that transaction.
Services call it as ``search_sync.paragraphs_changed(...)`` (module
attribute, not an imported name) so the hook can be swapped in one place and
observed in tests.

The indexer reads the themes back with
``annotations.selectors.themes_by_paragraph``.
"""

from __future__ import annotations

from collections.abc import Iterable


def paragraphs_changed(
    paragraph_ids: Iterable[int], actor_id: int | None = None
) -> None:
    """Queue these paragraphs for re-indexing, in the caller's transaction;
    ``actor_id``'s next search waits for them (and no one else's does)."""
    # Imported here: search reads themes back from annotations (its theme
    # source), so importing it at module level would make the two circular.
    from search.services import paragraphs_changed as queue_for_index

    queue_for_index(paragraph_ids=sorted(set(paragraph_ids)), actor_id=actor_id)
