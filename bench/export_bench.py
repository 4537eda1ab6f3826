"""Time and peak memory of exporting many excerpts (a script, not a test).

Builds a throwaway SQLite database with one document of ``--paragraphs``
paragraphs, three annotators and ``--excerpts`` annotations (bulk_create, two
themes each), then exports everything to CSV and to W3C JSON-LD through the
same code as ``manage.py export_annotations``. Each format runs twice: once
timed, once under tracemalloc for the peak of Python allocations (tracing
slows it down, so that pass is not timed). The process's maximum resident
set size is printed last.

    .venv/bin/python bench/export_bench.py [--excerpts 50000] [--paragraphs 5000]
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
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


def populate(excerpts: int, paragraphs: int) -> None:
    from django.contrib.auth import get_user_model

    from accounts.models import Project
    from annotations.models import Annotation, TaggedAnnotation, Theme
    from corpus.models import Document, Paragraph

    project = Project.objects.first_project()

    text = (
        "Sovereignty and distrust shape North American security cooperation — Mérida."
    )
    document = Document.objects.create(
        project=project,
        source_name="bench.txt",
        slug="bench",
        iri="urn:gloss:document:bench",
        title="Benchmark",
        authors=["Ana Ortiz"],
        year=2010,
    )
    Paragraph.objects.bulk_create(
        Paragraph(
            document=document, position=i, text=f"{i} {text}", section="S", page=1
        )
        for i in range(paragraphs)
    )
    users = [get_user_model().objects.create(username=f"coder{i}") for i in range(3)]
    themes = list(Theme.objects.all()[:2]) or [
        Theme.objects.create(project=project, name=n, slug=n) for n in ("a", "b")
    ]
    rows = list(Paragraph.objects.filter(document=document).order_by("position"))
    Annotation.objects.bulk_create(
        (
            _annotation(Annotation, document, rows[i % len(rows)], users[i % 3], i)
            for i in range(excerpts)
        ),
        batch_size=5000,
    )
    ids = Annotation.objects.values_list("pk", flat=True)
    TaggedAnnotation.objects.bulk_create(
        (
            TaggedAnnotation(content_object_id=pk, tag=theme)
            for pk in ids
            for theme in themes
        ),
        batch_size=5000,
    )


def _annotation(model, document, paragraph, user, i):  # type: ignore[no-untyped-def]
    start = i % 10
    return model(
        document=document,
        paragraph=paragraph,
        author=user,
        start=start,
        end=start + 20,
        quote=paragraph.text[start : start + 20],
        note=f"note {i}",
        last_position=paragraph.position,
    )


def export(name: str, target: Path) -> None:
    from accounts.models import Project
    from annotations.exports import FORMATS
    from annotations.exports.files import write_file
    from annotations.exports.selection import ExportFilters, export_rows

    filters = ExportFilters(project=Project.objects.first_project())
    write_file(FORMATS[name], export_rows(filters), target)


def measure(name: str, workdir: Path) -> tuple[float, float, int]:
    target = workdir / f"export.{name}"
    start = time.perf_counter()
    export(name, target)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    export(name, target)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, target.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--excerpts", type=int, default=50_000)
    parser.add_argument("--paragraphs", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        configure(workdir)
        start = time.perf_counter()
        populate(args.excerpts, args.paragraphs)
        print(f"setup: {args.excerpts} excerpts in {time.perf_counter() - start:.1f} s")
        print(f"{'format':<8} {'seconds':>8} {'peak MiB':>9} {'file MiB':>9}")
        for name in ("csv", "w3c"):
            seconds, peak, size = measure(name, workdir)
            print(f"{name:<8} {seconds:>8.2f} {peak:>9.1f} {size / 2**20:>9.1f}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max resident set size of the process: {maxrss:.0f} MiB")


if __name__ == "__main__":
    main()
