"""The upload page and ingest jobs: who may upload, what is refused (and then
nothing changes), and a job's life through the real task worker loop."""

from __future__ import annotations

import time
import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.roles import Role
from corpus import uploads
from corpus.models import Document, IngestJob, Paragraph
from corpus.uploads import _Heartbeat, ingest_job_execute, upload_check
from tests.conftest import PNG_BYTES
from tests.corpus.samples import DOCX, TEXT
from tests.factories import AnnotationFactory, UserFactory, first_project

DATA = Path(__file__).resolve().parents[1] / "data"

pytestmark = pytest.mark.django_db
UPLOAD = reverse("corpus:upload")


def _file(name: str, data: bytes | str) -> SimpleUploadedFile:
    content = data.encode() if isinstance(data, str) else data
    return SimpleUploadedFile(name, content)


def _post(client: Client, *files: SimpleUploadedFile, **fields: object):
    return client.post(UPLOAD, {"files": list(files), **fields})


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _nothing_stored(settings) -> bool:
    media = Path(settings.MEDIA_ROOT)
    stored = list(media.rglob("*")) if media.exists() else []
    return not IngestJob.objects.exists() and not [p for p in stored if p.is_file()]


# -- who may upload ---------------------------------------------------------


def test_curators_see_the_upload_page_and_a_link_to_it(curator_client):
    page = curator_client.get(UPLOAD)
    assert page.status_code == 200
    assert b'type="file" name="files"' in page.content and b"multiple" in page.content
    assert b"js/upload.js" in page.content
    listing = curator_client.get(reverse("corpus:document_list"))
    assert UPLOAD.encode() in listing.content


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANNOTATOR])
def test_viewers_and_annotators_may_not_upload(role, settings):
    client = Client()
    client.force_login(UserFactory(role=role))
    assert client.get(UPLOAD).status_code == 403
    response = _post(client, _file("a.txt", TEXT))
    assert response.status_code == 403
    assert _nothing_stored(settings)
    assert UPLOAD.encode() not in client.get(reverse("corpus:document_list")).content


def test_admins_may_upload():
    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(UPLOAD).status_code == 200


# -- refusals ---------------------------------------------------------------


def _zip_with(member: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(member, "<x/>")
    return buffer.getvalue()


def _broken_docx() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("content.xml", "<not-word/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        # a type no extractor reads
        ("tool.exe", b"MZ\x90\x00", "tool.exe: not a type of file Gloss reads"),
        # a .pdf whose bytes are text
        ("fake.pdf", "Just some text.", "fake.pdf: not a PDF"),
        # zero bytes
        ("empty.txt", b"", "empty.txt: the file is empty"),
        # binary data named as text
        ("image.txt", PNG_BYTES, "image.txt: not a text file"),
        # a PDF named as text
        ("paper.txt", b"%PDF-1.7\n%\xe2\xe3\n", "paper.txt: this is a PDF"),
        # a ZIP that is not a Word package
        ("notes.docx", _broken_docx(), "notes.docx: not a Word (.docx) document"),
        # an ODT package without its content, a zip named as a book
        ("notes.odt", _zip_with("styles.xml"), "notes.odt: not an OpenDocument text"),
        ("book.epub", _zip_with("content.opf"), "book.epub: not an EPUB book"),
    ],
)
def test_refused_files_change_nothing(curator_client, settings, name, data, reason):
    response = _post(curator_client, _file(name, data))
    assert response.status_code == 302
    assert any(m.startswith(reason) for m in _messages(response)), _messages(response)
    assert _nothing_stored(settings)
    assert not DBTaskResult.objects.exists()


def test_a_file_over_the_limit_is_refused(curator_client, settings):
    settings.GLOSS_UPLOAD_MAX_BYTES = 1_048_576
    response = _post(curator_client, _file("big.txt", "word " * 300_000))
    assert _messages(response) == [
        "big.txt: 1.4 MB is over the 1 MB limit for one file"
    ]
    assert _nothing_stored(settings)


def test_the_accepted_files_of_a_batch_go_on(curator_client):
    response = _post(curator_client, _file("a.txt", TEXT), _file("b.exe", b"MZ"))
    assert [job.original_name for job in IngestJob.objects.all()] == ["a.txt"]
    assert "1 file(s) queued for ingestion." in _messages(response)


def test_no_file_is_a_form_error(curator_client):
    response = curator_client.post(UPLOAD, {})
    assert response.status_code == 400
    assert b"Choose at least one file to upload." in response.content


def test_a_new_version_is_one_file(curator_client):
    document = Document.objects.create(
        project=first_project(), source_name="x.txt", slug="x", iri="x"
    )
    response = _post(
        curator_client,
        _file("a.txt", TEXT),
        _file("b.txt", TEXT + "b"),
        version_of=document.pk,
    )
    assert response.status_code == 400
    assert b"A new version is one file" in response.content
    assert not IngestJob.objects.exists()


# -- jobs through the worker ------------------------------------------------


def test_each_file_becomes_a_job_the_worker_ingests(curator_client, run_worker):
    response = _post(curator_client, _file("notes.txt", TEXT), _file("t.docx", DOCX))
    assert response.status_code == 302
    jobs = list(IngestJob.objects.order_by("id"))
    assert [(j.original_name, j.status) for j in jobs] == [
        ("notes.txt", "queued"),
        ("t.docx", "queued"),
    ]
    with jobs[0].file.open("rb") as stored:
        assert stored.read() == TEXT.encode() and jobs[0].size == len(TEXT)
    assert {str(r.id) for r in DBTaskResult.objects.all()} == {j.task_id for j in jobs}
    run_worker()
    for job in jobs:
        job.refresh_from_db()
        assert job.status == IngestJob.Status.DONE, job.error
        assert job.attempts == 1 and job.finished_at is not None
        assert job.document.source_file.name == job.file.name
        assert job.result["status"] == "created"
        assert job.result["counts"] == job.document.kind_counts()
    docx = Document.objects.get(source_name="t.docx")
    assert docx.paragraphs.filter(kind="heading", text="Introduction").exists()
    assert DBTaskResult.objects.successful().count() == 2


def test_the_status_fragment_shows_progress_then_the_result(curator_client, run_worker):
    _post(curator_client, _file("notes.txt", TEXT))
    job = IngestJob.objects.get()
    url = reverse("corpus:upload_job", args=[job.pk])
    queued = curator_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in queued and "Queued" in queued
    run_worker()
    done = curator_client.get(url).content.decode()
    assert "hx-trigger" not in done  # finished: the page stops polling
    assert "Created" in done and "2 paragraphs" in done
    assert job.document_id is None  # the stale copy; the row has it now
    document = Document.objects.get()
    assert document.get_absolute_url() in done
    assert "Border security became a shared concern" in done  # the preview


def test_an_htmx_post_answers_with_the_job_fragment(curator_client):
    headers = {"HX-Request": "true"}
    ok = curator_client.post(UPLOAD, {"files": [_file("a.txt", TEXT)]}, headers=headers)
    assert ok.status_code == 200
    job = IngestJob.objects.get()
    assert f'id="job-{job.pk}"' in ok.content.decode()
    refused = curator_client.post(
        UPLOAD, {"files": [_file("a.exe", b"MZ")]}, headers=headers
    )
    assert refused.status_code == 400
    assert "a.exe: not a type of file Gloss reads" in refused.content.decode()


def test_the_same_content_again_is_a_duplicate(curator_client, run_worker):
    _post(curator_client, _file("a.txt", TEXT))
    run_worker()
    records = list(Paragraph.objects.values_list("id", "text"))
    _post(curator_client, _file("copy-of-a.txt", TEXT))
    run_worker()
    job = IngestJob.objects.order_by("id").last()
    assert job.status == IngestJob.Status.DUPLICATE
    assert job.document == Document.objects.get(source_name="a.txt")
    fragment = curator_client.get(reverse("corpus:upload_job", args=[job.pk]))
    assert "Duplicate" in fragment.content.decode()
    assert job.document.get_absolute_url() in fragment.content.decode()
    assert Document.objects.count() == 1
    assert list(Paragraph.objects.values_list("id", "text")) == records


def test_the_same_name_with_new_content_is_a_new_version(curator_client, run_worker):
    _post(curator_client, _file("a.txt", TEXT))
    run_worker()
    document = Document.objects.get()
    kept = document.paragraphs.get(text__startswith="Border security")
    lost = document.paragraphs.get(text__startswith="Canada")
    AnnotationFactory(paragraph=kept, start=0, end=15)
    orphan = AnnotationFactory(paragraph=lost, start=0, end=6)
    _post(curator_client, _file("a.txt", TEXT.replace("Canada and Mexico", "Both")))
    run_worker()
    job = IngestJob.objects.order_by("id").last()
    assert job.status == IngestJob.Status.DONE and job.document == document
    assert job.result["status"] == "updated"
    assert job.result["reanchored"] == 1
    assert job.result["orphans"] == [{"id": orphan.pk, "quote": "Canada"}]
    assert any("could not be re-anchored" in w for w in job.result["warnings"])
    page = curator_client.get(reverse("corpus:upload_job", args=[job.pk]))
    assert "Orphaned annotations (1)" in page.content.decode()
    document.refresh_from_db()
    assert document.source_file.name == job.file.name  # the new version's file


def test_a_chosen_document_gets_the_new_version(curator_client, run_worker):
    _post(curator_client, _file("a.txt", TEXT))
    run_worker()
    document = Document.objects.get()
    revised = _file("revised.txt", TEXT + "\nOne more.")
    _post(curator_client, revised, version_of=document.pk)
    run_worker()
    job = IngestJob.objects.order_by("id").last()
    assert job.status == IngestJob.Status.DONE and job.document == document
    assert Document.objects.get().paragraphs.filter(text="One more.").exists()


def test_an_unreadable_file_fails_with_the_extractor_message(
    curator_client, run_worker
):
    # A Word package whose document part is not XML: accepted, then refused
    # by the extractor in the worker.
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w:document")
    _post(curator_client, _file("broken.docx", buffer.getvalue()))
    run_worker()
    job = IngestJob.objects.get()
    assert job.status == IngestJob.Status.FAILED
    assert job.error.startswith("broken.docx: word/document.xml is not well-formed XML")
    page = curator_client.get(reverse("corpus:upload_job", args=[job.pk]))
    assert "word/document.xml is not well-formed XML" in page.content.decode()
    assert not Document.objects.exists() and not Paragraph.objects.exists()


def test_an_interrupted_job_is_retried_and_ingested_once(curator_client, run_worker):
    _post(curator_client, _file("a.txt", TEXT))
    job = IngestJob.objects.get()
    # As a killed worker leaves it: claimed, no heartbeat for longer than the lease.
    long_ago = timezone.now() - timedelta(minutes=5)
    IngestJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, started_at=long_ago, heartbeat_at=long_ago
    )
    page = curator_client.get(UPLOAD).content.decode()
    assert "Interrupted — retry" in page
    retry = reverse("corpus:upload_job_retry", args=[job.pk])
    assert retry in page
    assert curator_client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.status == IngestJob.Status.QUEUED
    run_worker()
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE and job.attempts == 2
    assert Document.objects.count() == 1
    # The old task (its worker is gone) can no longer touch the job.
    assert curator_client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE


def test_a_job_runs_only_for_its_current_task(curator_client):
    _post(curator_client, _file("a.txt", TEXT))
    job = IngestJob.objects.get()
    assert ingest_job_execute(job_id=job.pk, task_id="someone-else") == "skipped"
    assert ingest_job_execute(job_id=job.pk, task_id=job.task_id) == "done"
    assert ingest_job_execute(job_id=job.pk, task_id=job.task_id) == "skipped"
    assert Document.objects.count() == 1


def test_a_running_job_with_a_live_heartbeat_is_not_retryable(curator_client):
    _post(curator_client, _file("a.txt", TEXT))
    job = IngestJob.objects.get()
    IngestJob.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=timezone.now()
    )
    response = curator_client.post(reverse("corpus:upload_job_retry", args=[job.pk]))
    assert "a.txt is running: no retry" in _messages(response)
    job.refresh_from_db()
    assert job.status == IngestJob.Status.RUNNING


@pytest.mark.parametrize(
    "path",
    [
        DATA / "odt" / "maint-guide-fr.odt",  # real packages pass the content check
        *sorted((DATA / "epub").glob("*.epub")),
        DATA / "pdf" / "sandwich.pdf",
    ],
)
def test_real_packages_pass_the_upload_check(path: Path) -> None:
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    upload_check(upload)  # raises UploadRefused otherwise


class _LockedOnce:
    """A job queryset whose first heartbeat update meets SQLite's write lock."""

    def __init__(self) -> None:
        self.beats: list[int] = []

    def filter(self, **_: object) -> _LockedOnce:
        return self

    def update(self, **_: object) -> int:
        if not self.beats:
            self.beats.append(0)
            raise OperationalError("database is locked")
        self.beats.append(1)
        return 1


def test_a_heartbeat_that_meets_a_locked_database_keeps_beating(
    settings, caplog, monkeypatch
):
    """A long write of the job's own made one beat fail; the thread goes on.
    (Outside the test's transaction, as in the worker: the thread starts.)"""
    stand_in = SimpleNamespace(in_atomic_block=False, close=lambda: None)
    monkeypatch.setattr(uploads, "connection", stand_in)
    settings.GLOSS_INGEST_LEASE_SECONDS = 0.03  # a beat every 10 ms
    owned = _LockedOnce()
    heartbeat = _Heartbeat(owned)
    deadline = time.monotonic() + 10
    while sum(owned.beats) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    heartbeat.stop()
    assert sum(owned.beats) >= 2  # beats after the failed one
    assert "ingest heartbeat skipped: database is locked" in caplog.text


def test_a_held_heartbeat_beats_no_more(settings, monkeypatch):
    """During the job's own write transaction (SQLite: the one write lock) a
    beat could only wait for the lock and log "database is locked": none is
    tried once the write begins."""
    stand_in = SimpleNamespace(in_atomic_block=False, close=lambda: None)
    monkeypatch.setattr(uploads, "connection", stand_in)
    settings.GLOSS_INGEST_LEASE_SECONDS = 0.03  # a beat every 10 ms
    owned = _LockedOnce()
    owned.beats.append(0)  # no failure: every beat counts
    heartbeat = _Heartbeat(owned)
    deadline = time.monotonic() + 10
    while sum(owned.beats) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    heartbeat.hold()
    time.sleep(0.02)  # a beat under way when held ends
    held_at = sum(owned.beats)
    time.sleep(0.1)  # ten beats' time
    heartbeat.stop()
    assert held_at >= 1
    assert sum(owned.beats) == held_at
