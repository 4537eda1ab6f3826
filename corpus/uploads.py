"""Uploading source files: what the upload page accepts, and ingest jobs.

A file is checked in the request (its size, its type by name, and its first
bytes must agree with that type), stored under ``MEDIA_ROOT/uploads/`` and
queued as an ``IngestJob`` with a task for the worker (``corpus.tasks``). The
worker runs ``ingest_job_execute``: ``document_ingest`` reads and cleans the
file outside any transaction and writes the records, and the job's result, in
one short transaction. A worker killed mid-file therefore leaves the corpus as
it was; its job stays ``running`` without heartbeats, counts as interrupted
once the lease (``GLOSS_INGEST_LEASE_SECONDS``) has passed, and
``ingest_job_retry`` queues it again.

Every job write after the claim is filtered on the job's ``task_id``: a worker
whose job was retried meanwhile (it was only slow, not dead) can no longer
change it, and its document write finds the bytes already stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import zipfile
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import Project
from corpus.ingestion.extract import (
    HTML_SUFFIXES,
    PACKAGE_READERS,
    PDF_SUFFIX,
    TEXT_SUFFIXES,
    ExtractionError,
)
from corpus.models import Document, IngestJob
from corpus.services import IngestOutcome, IngestStatus, InvalidMetadata
from corpus.services import document_ingest as _document_ingest

log = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = frozenset(
    (TEXT_SUFFIXES - {""}) | HTML_SUFFIXES | set(PACKAGE_READERS)
)
# Zip packages, by suffix: the member that makes one what its name says.
PACKAGE_MEMBERS = {
    ".docx": ("word/document.xml", "a Word (.docx) document"),
    ".odt": ("content.xml", "an OpenDocument text (.odt)"),
    ".epub": ("META-INF/container.xml", "an EPUB book"),
}
_SNIFF_BYTES = 8192
PREVIEW_RECORDS = 5
# Test hook, used only by the crash-safety test: at the point PAUSE_AT_ENV
# names ("before-write": read and cleaned, nothing written; "before-commit":
# the records written, not committed), the worker creates the file
# PAUSE_FILE_ENV names and waits while it exists, so the test can kill it there.
PAUSE_AT_ENV = "GLOSS_TEST_PAUSE_AT"
PAUSE_FILE_ENV = "GLOSS_TEST_PAUSE_FILE"


class UploadRefused(ValueError):
    """A file the upload page does not accept; the message is user-facing."""


class JobNotRetryable(ValueError):
    """Retrying a job that is queued, running with a live worker, or done."""


def upload_check(upload: UploadedFile) -> None:
    """Refuse, with a message a person can act on, a file Gloss will not read:
    an unknown type, empty, over the size limit, or whose bytes are not of the
    type its name says (a ``.pdf`` that is not a PDF)."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        kinds = " ".join(sorted(ACCEPTED_SUFFIXES))
        raise UploadRefused(f"{name}: not a type of file Gloss reads ({kinds})")
    size, limit = upload.size or 0, settings.GLOSS_UPLOAD_MAX_BYTES
    if size == 0:
        raise UploadRefused(f"{name}: the file is empty")
    if size > limit:
        raise UploadRefused(
            f"{name}: {size / 1_048_576:.1f} MB is over the "
            f"{limit / 1_048_576:.0f} MB limit for one file"
        )
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    _sniff(name, suffix, head, upload)


def _sniff(name: str, suffix: str, head: bytes, upload: IO[bytes]) -> None:
    """The first bytes must agree with the name's type."""
    is_pdf = b"%PDF-" in head[:1024]  # the header may follow a little junk
    if suffix == PDF_SUFFIX:
        if not is_pdf:
            raise UploadRefused(f"{name}: not a PDF (its content is something else)")
    elif suffix in PACKAGE_MEMBERS:
        member, what = PACKAGE_MEMBERS[suffix]
        if not _has_member(upload, member):
            raise UploadRefused(f"{name}: not {what}")
    elif is_pdf:
        raise UploadRefused(f"{name}: this is a PDF; name it .pdf to upload it")
    elif head.startswith(b"PK\x03\x04") or _binary(head):
        raise UploadRefused(f"{name}: not a text file (it holds binary data)")


def _has_member(upload: IO[bytes], member: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as package:
            found = member in package.namelist()
    except (zipfile.BadZipFile, OSError):
        found = False
    upload.seek(0)
    return found


def _binary(head: bytes) -> bool:
    """NUL bytes mean binary, except in UTF-16 text (it starts with a BOM)."""
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def ingest_jobs_create(
    *,
    uploads: Iterable[UploadedFile],
    user: User | None,
    project: Project | None = None,
    version_of: Document | None = None,
) -> list[IngestJob]:
    """Store each (already checked) upload and queue a job for it, to ingest
    into ``project`` (default: the first project).

    Files are written before the transaction (a rollback leaves at most an
    unused file); each job and its task row commit together, so the worker
    never sees a task without its job.
    """
    project = project or Project.objects.first_project()
    if version_of is not None and version_of.project_id != project.pk:
        # The form offers only the project's documents; this is the backstop.
        raise ValueError("A new version must be of a document in the same project.")
    return [_job_create(upload, user, project, version_of) for upload in uploads]


def _job_create(
    upload: UploadedFile,
    user: User | None,
    project: Project,
    version_of: Document | None,
) -> IngestJob:
    name = Path(upload.name or "upload").name
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = IngestJob(
        project=project,
        original_name=name,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        created_by=user,
        version_of=version_of,
    )
    job.file.save(name, upload, save=False)
    with transaction.atomic():
        job.save()
        _enqueue(job)
    return job


def _enqueue(job: IngestJob) -> None:
    from corpus.tasks import ingest_job_run  # the task module imports this one

    result = ingest_job_run.enqueue(job_id=job.pk)
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])


def ingest_job_retry(*, job: IngestJob) -> IngestJob:
    """Queue an interrupted (or failed) job again, as a new task.

    Nothing of an interrupted attempt was written, so the retry ingests the
    file once; ``JobNotRetryable`` for a job that is queued, alive or done.
    """
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        if not job.retryable:
            raise JobNotRetryable(f"{job.original_name} is {job.status}: no retry")
        job.status, job.stage, job.error = IngestJob.Status.QUEUED, "", ""
        job.heartbeat_at = None
        job.save(update_fields=["status", "stage", "error", "heartbeat_at"])
        _enqueue(job)
    return job


def ingest_job_execute(*, job_id: int, task_id: str) -> str:
    """Run one job (the worker's task): claim it, ingest, record the result.

    Returns the job's final status. A job that is not queued for this task
    (done meanwhile, or retried under another task) is left alone.
    """
    job = _claim(job_id, task_id)
    if job is None:
        return "skipped"
    owned = IngestJob.objects.filter(pk=job_id, task_id=task_id)
    heartbeat = _Heartbeat(owned)
    try:
        outcome = _ingest(job, owned, heartbeat)
    except (ExtractionError, InvalidMetadata) as exc:
        _fail(owned, str(exc))
        return IngestJob.Status.FAILED
    except Exception as exc:
        _fail(owned, f"unexpected error: {exc!r}")
        raise  # the task's own result records the traceback
    finally:
        heartbeat.stop()
    return _job_status(outcome)


def _claim(job_id: int, task_id: str) -> IngestJob | None:
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != IngestJob.Status.QUEUED:
            return None
        if job.task_id and job.task_id != task_id:
            return None
        now = timezone.now()
        job.status, job.stage = IngestJob.Status.RUNNING, "starting"
        job.attempts += 1
        job.task_id, job.started_at, job.heartbeat_at = task_id, now, now
        job.save()
    return job


def _ingest(job: IngestJob, owned: Any, heartbeat: _Heartbeat) -> IngestOutcome:
    return _document_ingest(
        path=Path(job.file.path),
        project=job.project,
        name=job.original_name,
        version_of=job.version_of,
        stored_as=job.file.name,
        refuse_duplicates=True,
        on_stage=partial(_stage, owned, heartbeat),
        within_write=partial(_finish, owned),
    )


def _stage(owned: Any, heartbeat: _Heartbeat, stage: str) -> None:
    owned.update(stage=stage, heartbeat_at=timezone.now())
    if stage == "writing" and connection.vendor == "sqlite":
        # The write transaction, next, holds SQLite's one write lock: a beat
        # meanwhile could only wait for it (the connection's timeout) and log
        # "database is locked". This beat covers the write (a few seconds
        # even for a 50 MB file); the job's result then ends the job.
        heartbeat.hold()
    if stage == "writing":
        _pause_for_tests("before-write")


def _pause_for_tests(point: str) -> None:
    """See ``PAUSE_AT_ENV``: never set outside the crash-safety test."""
    marker = os.environ.get(PAUSE_FILE_ENV)
    if not marker or os.environ.get(PAUSE_AT_ENV) != point:
        return
    Path(marker).touch()
    while Path(marker).exists():
        time.sleep(0.05)


def _finish(owned: Any, outcome: IngestOutcome) -> None:
    """Inside the write transaction: the job's result commits with the records."""
    owned.update(
        status=_job_status(outcome),
        stage="",
        result=ingest_result(outcome),
        document=outcome.document,
        finished_at=timezone.now(),
    )
    _pause_for_tests("before-commit")


def _fail(owned: Any, message: str) -> None:
    owned.update(
        status=IngestJob.Status.FAILED,
        stage="",
        error=message,
        finished_at=timezone.now(),
    )


def _job_status(outcome: IngestOutcome) -> str:
    written = {IngestStatus.CREATED, IngestStatus.UPDATED}
    if outcome.status in written:
        return IngestJob.Status.DONE
    return IngestJob.Status.DUPLICATE


def ingest_result(outcome: IngestOutcome) -> dict[str, Any]:
    """The summary the upload page shows (stored as JSON on the job)."""
    records = outcome.document.paragraphs.order_by("position")[:PREVIEW_RECORDS]
    return {
        "status": str(outcome.status),
        "counts": outcome.counts,
        "reanchored": outcome.reanchored,
        "orphans": [{"id": o.id, "quote": o.quote} for o in outcome.orphans],
        "warnings": _warnings(outcome),
        "preview": [
            {"position": p.position, "kind": p.kind, "text": p.text[:300]}
            for p in records
        ],
    }


def _warnings(outcome: IngestOutcome) -> list[str]:
    if outcome.status not in {IngestStatus.CREATED, IngestStatus.UPDATED}:
        return []
    counts, warnings = outcome.counts, []
    if not counts.get("heading"):
        warnings.append("No headings found: the document reads as one section.")
    if not outcome.document.title:
        warnings.append("No title found: add one in the admin.")
    if outcome.orphans:
        warnings.append(
            f"{len(outcome.orphans)} annotation(s) could not be re-anchored in "
            "this version; they are kept as orphans (listed below)."
        )
    return warnings


class _Heartbeat:
    """Marks a running job alive every third of the lease, from a thread with
    its own connection, while the worker reads and cleans (a long PDF)."""

    def __init__(self, owned: Any) -> None:
        self._owned = owned
        self._done = threading.Event()
        self._held = threading.Event()
        self._thread: threading.Thread | None = None
        # Inside a transaction (tests run the worker in theirs), another
        # connection could neither see the job nor take SQLite's write lock.
        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._beat, daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        every = settings.GLOSS_INGEST_LEASE_SECONDS / 3
        try:
            while not self._done.wait(every):
                if not self._held.is_set():
                    self._beat_once()
        finally:
            connection.close()  # this thread's own connection

    def _beat_once(self) -> None:
        """One heartbeat; a failed one is skipped, not fatal. On SQLite the
        job's own write transaction holds the write lock, and a long one (a
        big file, a busy machine) made the beat fail with "database is
        locked", which ended the thread: no beat after it."""
        try:
            running = self._owned.filter(status=IngestJob.Status.RUNNING)
            running.update(heartbeat_at=timezone.now())
        except DatabaseError as exc:
            log.warning("ingest heartbeat skipped: %s", exc)

    def hold(self) -> None:
        """No more beats (the job's own write transaction is under way)."""
        self._held.set()

    def stop(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
