"""Time and query count of the analysis pages at scale (a script, not a test).

Builds a throwaway SQLite database (bulk_create) with ``--documents``
documents holding ``--paragraphs`` paragraphs in all, a codebook of six
top-level themes with two sub-themes each, four coders and ``--annotations``
annotations (one or two themes each, a third of them overlapping another),
then requests each analysis page through Django's test client, signed in as a
viewer, ``--runs`` times. Prints the median and the worst time per page and
the median CPU time of this process (SQLite runs in it; the machine is
shared, so wall time includes waiting for a core) and the number of SQL
queries of one request.

    .venv/bin/python bench/analysis_bench.py [--annotations 50000]
        [--paragraphs 100000] [--documents 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PAGES = [
    ("coded passages", "/analysis/passages/"),
    ("coded passages, 2 themes AND", "/analysis/passages/?theme=t0&theme=t1&mode=and"),
    (
        "passages AND in paragraph",
        "/analysis/passages/?theme=t0&theme=t1&mode=and&within=paragraph",
    ),
    ("passages grouped by theme", "/analysis/passages/?group=theme"),
    (
        "passages: kind, language, dates",
        "/analysis/passages/?kind=paragraph&language=en&since=2000-01-01"
        "&until=2100-01-01&order=newest",
    ),
    ("charts (three)", "/analysis/charts/"),
    ("matrix (code x document)", "/analysis/matrix/"),
    ("matrix (code x coder)", "/analysis/matrix/?by=coder"),
    ("co-occurrence (paragraphs)", "/analysis/co-occurrence/"),
    ("co-occurrence (passages)", "/analysis/co-occurrence/?measure=passage"),
    ("codeline (one document)", "/analysis/codeline/d0/"),
    ("KWIC over passages", "/analysis/kwic/?keyword=distrust&scope=passages"),
]


def configure(workdir: Path) -> None:
    os.environ["GLOSS_DATA_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(REPO))
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    # {% static %} without collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    call_command("migrate", verbosity=0)


def populate(annotations: int, paragraphs: int, documents: int) -> None:
    from django.contrib.auth import get_user_model

    from accounts.models import Project
    from annotations.models import Annotation, TaggedAnnotation, Theme
    from corpus.models import Document, Paragraph

    project = Project.objects.first_project()
    docs = Document.objects.bulk_create(
        Document(
            project=project,
            source_name=f"d{i:02d}.txt",
            slug=f"d{i}",
            iri=f"urn:gloss:d{i}",
            content_hash=f"{i:064d}",
            title=f"Document {i}",
            year=2010,
        )
        for i in range(documents)
    )
    per_document = paragraphs // documents
    text = "Sovereignty and distrust shape North American security cooperation."
    Paragraph.objects.bulk_create(
        (
            Paragraph(
                document=doc,
                position=p,
                kind="paragraph",
                lang="en",
                text=f"{p} {text}",
            )
            for doc in docs
            for p in range(per_document)
        ),
        batch_size=10000,
    )
    themes = _codebook(Theme, project)
    users = [get_user_model().objects.create(username=f"coder{i}") for i in range(4)]
    records = list(Paragraph.objects.values_list("pk", "document_id", "text"))
    step = max(1, len(records) // annotations)
    Annotation.objects.bulk_create(
        (_annotation(Annotation, records, users, i, step) for i in range(annotations)),
        batch_size=5000,
    )
    ids = list(Annotation.objects.values_list("pk", flat=True).order_by("pk"))
    TaggedAnnotation.objects.bulk_create(
        (
            TaggedAnnotation(content_object_id=pk, tag=theme)
            for i, pk in enumerate(ids)
            for theme in {themes[i % len(themes)], themes[(i * 7) % len(themes)]}
        ),
        batch_size=10000,
    )


def _codebook(Theme, project):  # type: ignore[no-untyped-def]
    """Six top-level themes t0..t5, each with two sub-themes."""
    themes = []
    for i in range(6):
        top = Theme.objects.create(project=project, name=f"T{i}", slug=f"t{i}")
        themes.append(top)
        for j in range(2):
            themes.append(
                Theme.objects.create(
                    project=project, name=f"T{i}.{j}", slug=f"t{i}-{j}", parent=top
                )
            )
    return themes


def _annotation(model, records, users, i, step):  # type: ignore[no-untyped-def]
    # Every third annotation shares the record of the one before (overlaps).
    index = ((i - 1) if i % 3 == 2 else i) * step % len(records)
    pk, document_id, text = records[index]
    start = 0 if i % 2 else 5
    return model(
        document_id=document_id,
        paragraph_id=pk,
        author=users[i % len(users)],
        start=start,
        end=start + 30,
        quote=text[start : start + 30],
        last_position=0,
    )


def measure(runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Project
    from accounts.roles import Role
    from accounts.services import membership_set

    # Each request would empty the query log as it starts.
    request_started.disconnect(reset_queries)
    viewer = get_user_model().objects.create(username="viewer")
    membership_set(
        user=viewer, project=Project.objects.first_project(), role=Role.VIEWER
    )
    client = Client()
    client.force_login(viewer)
    print(f"{'page':34} {'median ms':>9} {'worst ms':>8} {'cpu ms':>7} {'queries':>7}")
    for name, url in PAGES:
        response = client.get(url)  # warms the caches
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        count = len(queries.captured_queries)  # read now: reconnecting clears it
        wall, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        print(
            f"{name:34} {statistics.median(wall):9.0f} {max(wall):8.0f}"
            f" {statistics.median(cpu):7.0f} {count:7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=50_000)
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        configure(Path(workdir))
        start = time.perf_counter()
        populate(args.annotations, args.paragraphs, args.documents)
        print(
            f"{args.annotations} annotations over {args.paragraphs} paragraphs in "
            f"{args.documents} documents, built in {time.perf_counter() - start:.1f} s"
        )
        measure(args.runs)


if __name__ == "__main__":
    main()
