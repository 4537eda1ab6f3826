"""The upload page (``/documents/upload/``, curators and admins): choose or
drop files, watch each one's ingest job, see what it made.

Without JavaScript the form posts every file at once and the page comes back
with the new jobs at the top of the list; ``static/js/upload.js`` posts one
file at a time instead (per-file upload progress) and gets back each job's
fragment. A job fragment polls itself (htmx, every second) while it is active.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.projects import request_project
from accounts.roles import can_upload_documents
from corpus.http import HtmxHttpRequest
from corpus.models import IngestJob
from corpus.upload_forms import UploadForm
from corpus.uploads import (
    ACCEPTED_SUFFIXES,
    JobNotRetryable,
    ingest_job_retry,
    ingest_jobs_create,
)

RECENT_JOBS = 20
View = Callable[..., HttpResponse]


def uploader_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_upload_documents(request.user, request_project(request)):
            raise PermissionDenied("Uploading documents needs the Curator role.")
        return view(request, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@uploader_required
def upload(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, project=request_project(request))
        return _upload_post(request, form)
    return _page(request, UploadForm(project=request_project(request)))


def _upload_post(request: HtmxHttpRequest, form: UploadForm) -> HttpResponse:
    if not form.is_valid():
        if request.htmx:
            reasons = [e for errors in form.errors.values() for e in errors]
            context: dict[str, Any] = {"jobs": [], "refused": reasons}
            return render(request, "corpus/_upload_result.html", context, status=400)
        return _page(request, form, status=400)
    jobs = ingest_jobs_create(
        uploads=form.accepted,
        user=request.user if request.user.is_authenticated else None,
        project=request_project(request),
        version_of=form.cleaned_data.get("version_of"),
    )
    if request.htmx:  # one file from upload.js: its job, or why it was refused
        context = {"jobs": jobs, "refused": form.refused}
        status = 200 if jobs else 400
        return render(request, "corpus/_upload_result.html", context, status=status)
    for reason in form.refused:
        messages.error(request, reason)
    if jobs:
        messages.success(request, f"{len(jobs)} file(s) queued for ingestion.")
    return redirect("corpus:upload")


def _page(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "jobs": IngestJob.objects.in_project(request_project(request)).recent(
            RECENT_JOBS
        ),
        "max_bytes": settings.GLOSS_UPLOAD_MAX_BYTES,
        "max_mb": settings.GLOSS_UPLOAD_MAX_BYTES // 1_048_576,
        "suffixes": sorted(ACCEPTED_SUFFIXES),
    }
    return render(request, "corpus/upload.html", context, status=status)


@uploader_required
def upload_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One job's fragment: what the page polls."""
    jobs = IngestJob.objects.in_project(request_project(request))
    job = get_object_or_404(jobs.select_related("document"), pk=pk)
    return render(request, "corpus/_ingest_job.html", {"job": job})


@require_POST
@uploader_required
def upload_job_retry(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        IngestJob.objects.in_project(request_project(request)), pk=pk
    )
    try:
        job = ingest_job_retry(job=job)
    except JobNotRetryable as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=409)
        messages.error(request, str(exc))
        return redirect("corpus:upload")
    if request.htmx:
        return render(request, "corpus/_ingest_job.html", {"job": job})
    messages.success(request, f"{job.original_name} queued again.")
    return redirect("corpus:upload")
