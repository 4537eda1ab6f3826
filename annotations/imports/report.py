"""What an import did (or, in a dry run, would do), as people read it."""

from __future__ import annotations

from dataclasses import dataclass, field


class ImportFileError(ValueError):
    """The file cannot be read as any format Gloss imports; says why."""


@dataclass
class ImportReport:
    kind: str
    dry_run: bool = False
    created: int = 0
    duplicates: int = 0
    themes_created: list[str] = field(default_factory=list)
    themes_updated: list[str] = field(default_factory=list)
    unanchored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    memos_created: int = 0
    memo_duplicates: int = 0

    @property
    def changes_anything(self) -> bool:
        """Whether confirming would change anything (else there is nothing to
        confirm: the page says so instead of offering it)."""
        return bool(
            self.created
            or self.themes_created
            or self.themes_updated
            or self.memos_created
        )

    def lines(self) -> list[str]:
        """A summary line, then one line per problem or remark."""
        verb = "would import" if self.dry_run else "imported"
        head = (
            f"{self.kind}: {verb} {self.created} annotations; "
            f"{self.duplicates} already imported; "
            f"{len(self.unanchored)} could not be anchored; "
            f"themes {len(self.themes_created)} new, "
            f"{len(self.themes_updated)} updated"
        )
        problems = [f"not anchored: {reason}" for reason in self.unanchored]
        created = [f"new theme: {name}" for name in self.themes_created]
        memos = []
        if self.memos_created or self.memo_duplicates:
            memos = [
                f"memos: {self.memos_created} new, "
                f"{self.memo_duplicates} already imported"
            ]
        return [head, *created, *memos, *problems, *self.notes]
