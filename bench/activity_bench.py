"""Time the activity log's pages over a long history (a script, not a test).

Builds a throwaway SQLite database with ``--entries`` activity entries (bulk,
four people, a few verbs, each linked to one of three themes), then times
``selectors.activity_page``: the first page, a page far back (keyset cursor
near the oldest entry), and the same filtered by person, by action and by
theme; and, for comparison, an OFFSET query reaching equally far back.

    .venv/bin/python bench/activity_bench.py [--entries 200000]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def configure(workdir: Path) -> None:
    os.environ["GLOSS_DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def populate(entries: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Project
    from annotations.models import Activity, ActivityTheme, Theme

    project = Project.objects.first_project()
    users = [get_user_model().objects.create(username=f"coder{i}") for i in range(4)]
    themes = list(Theme.objects.filter(project=project)[:3])
    verbs = ["annotated", "edited", "deleted", "theme-merged"]
    start = timezone.now() - timezone.timedelta(seconds=entries)
    batch = 5000
    for first in range(0, entries, batch):
        rows = [
            Activity(
                project=project,
                actor=users[i % 4],
                verb=verbs[i % 4],
                summary=f"entry {i}",
            )
            for i in range(first, min(first + batch, entries))
        ]
        made = Activity.objects.bulk_create(rows)
        links = [
            ActivityTheme(activity=row, theme_id=themes[n % 3].pk)
            for n, row in enumerate(made, start=first)
        ]
        ActivityTheme.objects.bulk_create(links)
    # auto_now_add stamps every row "now": spread them one second apart.
    _spread_times(start)


def _spread_times(start) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # One second apart, in id order (SQLite's datetime arithmetic).
        cursor.execute(
            "UPDATE annotations_activity SET created = "
            "strftime('%Y-%m-%d %H:%M:%f', %s, '+' || id || ' seconds')",
            [start.strftime("%Y-%m-%d %H:%M:%S")],
        )


def timed(label: str, run: Callable[[], object], repeat: int = 5) -> None:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    print(f"{label:<44} {best * 1000:8.1f} ms (best of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        configure(Path(folder))
        began = time.perf_counter()
        populate(args.entries)
        print(f"{args.entries} entries written in {time.perf_counter() - began:.1f} s")
        report()


def report() -> None:
    from django.contrib.auth import get_user_model

    from accounts.models import Project
    from annotations import selectors
    from annotations.models import Activity, Theme

    project = Project.objects.first_project()
    person = get_user_model().objects.get(username="coder1")
    theme = Theme.objects.filter(project=project).first()
    deep = Activity.objects.order_by("pk")[50]  # 50 entries from the oldest
    rows = Activity.objects.filter(project=project).order_by("-created", "-id")
    timed("first page", lambda: selectors.activity_page(project))
    timed(
        "page near the oldest (keyset)",
        lambda: selectors.activity_page(project, before=deep),
    )
    far = Activity.objects.count() - 100
    timed(
        "page near the oldest (OFFSET, for comparison)",
        lambda: list(rows[far : far + 51]),
    )
    timed(
        "by person, first page", lambda: selectors.activity_page(project, actor=person)
    )
    timed(
        "by person, near the oldest",
        lambda: selectors.activity_page(project, actor=person, before=deep),
    )
    timed(
        "by action, first page", lambda: selectors.activity_page(project, verb="edited")
    )
    timed("by theme, first page", lambda: selectors.activity_page(project, theme=theme))
    timed(
        "by theme, near the oldest",
        lambda: selectors.activity_page(project, theme=theme, before=deep),
    )


if __name__ == "__main__":
    main()
