"""The one place annotation writes tell search that paragraphs changed.

Every service in ``annotations.services`` that changes which themes a
paragraph carries (annotation create/update/delete, bulk tagging, theme
rename/merge/retire, re-anchoring) calls ``paragraphs_changed`` with the
affected paragraph ids *inside its transaction*, so the notice commits or
rolls back with the change itself. Search (issue 3) points this at its index
outbox; until then it does nothing. Services call it as
``search_sync.paragraphs_changed(...)`` (module attribute, not an imported
name) so the hook can be swapped in one place and observed in tests.

The indexer reads the themes back with
``annotations.selectors.themes_by_paragraph``.
"""

from __future__ import annotations

from collections.abc import Iterable


def paragraphs_changed(paragraph_ids: Iterable[int]) -> None:
    """Record that these paragraphs' themes changed (no-op until search lands)."""
    del paragraph_ids  # nothing to notify yet
