"""Crash safety with a real worker process: killed between reading a file and
writing its records, it leaves the corpus exactly as it was, and the job can
be retried and is then ingested once."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corpus.models import Document, IngestJob, Paragraph
from corpus.uploads import (
    PAUSE_AT_ENV,
    PAUSE_FILE_ENV,
    ingest_job_retry,
    ingest_jobs_create,
)
from tests.corpus.samples import TEXT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_S = 60


def _wait_for(
    condition: Callable[[], bool], what: str, worker: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _job(name: str) -> IngestJob:
    upload = SimpleUploadedFile(name, TEXT.encode())
    return ingest_jobs_create(uploads=[upload], user=UserFactory())[0]


@pytest.mark.parametrize(
    "point",
    [
        # read and cleaned, nothing written yet
        "before-write",
        # every record and the job's result written, the transaction not committed
        "before-commit",
    ],
)
def test_a_worker_killed_mid_file_changes_nothing_and_the_retry_ingests_once(
    worker_process, tmp_path: Path, settings, point
):
    settings.GLOSS_INGEST_LEASE_SECONDS = 1.5  # the worker gets it too
    job = _job("a.txt")
    paused = tmp_path / "paused"
    worker = worker_process(**{PAUSE_AT_ENV: point, PAUSE_FILE_ENV: str(paused)})
    _wait_for(paused.exists, f"the worker to reach {point}", worker)
    job.refresh_from_db()
    assert (job.status, job.stage, job.attempts) == ("running", "writing", 1)
    assert not Document.objects.exists()  # nothing committed, whatever was written

    worker.send_signal(signal.SIGKILL)
    worker.wait(WAIT_S)
    assert not Document.objects.exists() and not Paragraph.objects.exists()
    _wait_for(
        lambda: IngestJob.objects.get(pk=job.pk).interrupted, "the lease to expire"
    )
    job.refresh_from_db()
    assert job.retryable and job.status == "running" and not job.document_id

    ingest_job_retry(job=job)
    again = worker_process("--batch")  # no pause: runs the queue, then exits
    assert again.wait(WAIT_S) == 0
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE, job.error
    assert job.attempts == 2
    document = Document.objects.get()
    assert job.document == document
    assert document.paragraphs.count() == sum(job.result["counts"].values()) == 3


def test_a_worker_process_ingests_queued_jobs(worker_process):
    jobs = [_job("a.txt"), _job("b.txt")]  # b is a duplicate of a
    assert worker_process("--batch").wait(WAIT_S) == 0
    statuses = [IngestJob.objects.get(pk=j.pk).status for j in jobs]
    assert statuses == [IngestJob.Status.DONE, IngestJob.Status.DUPLICATE]
    assert Document.objects.count() == 1
