"""``manage.py search_index rebuild|status|verify|drain``: look after the index.

- ``rebuild``: build a new index from the database and switch to it atomically
  (searches keep working meanwhile), then apply changes queued during it.
- ``status``: records in the database and in the index, pending outbox rows.
- ``verify``: compare the index with the database and repair any drift
  (``--check`` only reports, and fails when there is drift).
- ``drain``: apply the pending outbox rows now.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corpus.models import Paragraph
from search import outbox
from search.backend import Drift, SearchUnavailable, get_backend


class Command(BaseCommand):
    help = "Rebuild, inspect, verify or drain the search index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "status", "verify", "drain"])
        parser.add_argument(
            "--check", action="store_true", help="verify: report only, fail on drift"
        )
        parser.add_argument(
            "--follow",
            action="store_true",
            help="drain: keep running as the dedicated drainer (until SIGTERM)",
        )
        parser.add_argument(
            "--max-idle", type=float, default=None, help=argparse.SUPPRESS
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "rebuild":
                self.rebuild()
            elif action == "status":
                self.status()
            elif action == "verify":
                self.verify(check=options["check"])
            elif options["follow"]:
                self.follow(options["max_idle"])
            else:
                self.drain()
        except SearchUnavailable as exc:
            raise CommandError(f"{exc}; try again in a moment") from exc

    def rebuild(self) -> None:
        backend = get_backend()
        covered = outbox.queued_ids()  # committed before the rebuild reads
        count = backend.rebuild()
        outbox.settle(covered)
        drained = outbox.drain(backend=backend)
        status = backend.status()
        self.stdout.write(
            f"Rebuilt the search index: {count} records ({status.generation})."
        )
        if drained:
            self.stdout.write(f"Applied {drained} changes made during the rebuild.")

    def status(self) -> None:
        backend = get_backend()
        status = backend.status()
        self.stdout.write(
            f"Records in the database: {Paragraph.objects.visible().count()}"
        )
        self.stdout.write(f"Records in the index:    {status.documents}")
        self.stdout.write(f"Pending outbox rows:     {outbox.pending()}")
        self.stdout.write(f"Index: {status.location} ({status.generation})")

    def verify(self, *, check: bool) -> None:
        backend = get_backend()
        outbox.drain(backend=backend)  # queued changes are not drift
        drift = backend.drift()
        if drift.clean:
            self.stdout.write(
                f"The index matches the database ({backend.count()} records)."
            )
            return
        self.stdout.write(f"Drift: {describe(drift)}.")
        if check:
            raise CommandError("the index does not match the database")
        backend.repair(drift)
        after = backend.drift()
        if not after.clean:
            raise CommandError(f"repair left drift: {describe(after)}")
        self.stdout.write(
            f"Repaired; the index matches the database ({backend.count()} records)."
        )

    def follow(self, max_idle: float | None) -> None:
        self.stdout.write("Search drainer running; stop it with SIGTERM.")
        applied = outbox.follow(max_idle=max_idle)
        self.stdout.write(f"Search drainer stopped after applying {applied} changes.")

    def drain(self) -> None:
        applied = outbox.drain()
        self.stdout.write(
            f"Applied {applied} pending change{'s' if applied != 1 else ''}."
        )


def describe(drift: Drift) -> str:
    parts = [
        f"{len(drift.missing)} missing from the index",
        f"{len(drift.extra)} extra in the index",
        f"{len(drift.stale)} out of date",
    ]
    return ", ".join(parts)
