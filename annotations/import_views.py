"""The import page (``/import/``, curators): upload, dry-run preview, confirm.

An upload (at most ``MAX_UPLOAD_BYTES``) is checked with a dry run at once and
kept under ``MEDIA_ROOT/imports/<user id>/<token>`` until the curator confirms
or uploads another; confirming imports that file and deletes it. A preview
belongs to the person who uploaded it: another curator's token finds nothing.
Previews nobody confirmed are deleted after ``PREVIEW_TTL`` (swept whenever a
file is uploaded). A bad file re-renders the form with the reason (400), never
a 500.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.projects import request_project
from accounts.roles import Role, role_required
from annotations.imports import ImportFileError, import_file

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
TOKEN_LENGTH = 32
PREVIEW_TTL = timedelta(hours=24)


@role_required(Role.CURATOR)
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form(request)
    if "token" in request.POST:
        return _confirm(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _form(request, "Choose a file to import.", 400)
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        return _form(request, f"The file is larger than {limit} MB.", 400)
    data, name = upload.read(), upload.name or "upload.json"
    as_user = _as_user(request.POST.get("as_user", ""))
    try:
        report = import_file(
            project=request_project(request),
            actor=request.user,
            name=name,
            data=data,
            as_user=as_user,
            dry_run=True,
        )
    except ImportFileError as exc:
        return _form(request, f"{name}: {exc}", 400)
    token = _keep(request.user, data)
    context = {"report": report, "token": token, "name": name, "as_user": as_user}
    return _form(request, extra=context)


def _confirm(request: HttpRequest) -> HttpResponse:
    token, name = request.POST.get("token", ""), request.POST.get("name", "")
    path = _kept(request.user, token)
    if path is None:
        return _form(request, "That upload is gone; upload the file again.", 400)
    try:
        report = import_file(
            actor=request.user,
            project=request_project(request),
            name=name,
            data=path.read_bytes(),
            as_user=_as_user(request.POST.get("as_user", "")),
        )
    except ImportFileError as exc:
        return _form(request, f"{name}: {exc}", 400)
    finally:
        path.unlink(missing_ok=True)
    messages.success(request, "; ".join(report.lines()[:1]))
    return _form(request, extra={"done": report})


def _form(
    request: HttpRequest,
    error: str = "",
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    users = (
        get_user_model()._default_manager.filter(is_active=True).order_by("username")
    )
    context = {"error": error, "users": users, "limit_mb": MAX_UPLOAD_BYTES >> 20}
    return render(
        request, "annotations/import.html", context | (extra or {}), status=status
    )


def _as_user(name: str) -> Any:
    if not name:
        return None
    return get_user_model()._default_manager.filter(username=name).first()


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _folder(user: Any) -> Path:
    folder = _root() / str(user.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep(user: Any, data: bytes) -> str:
    """Keep the previewed file for its uploader only; their earlier previews
    and everyone's stale ones go."""
    folder = _folder(user)
    for earlier in folder.iterdir():
        earlier.unlink(missing_ok=True)
    sweep_previews()
    token = secrets.token_hex(TOKEN_LENGTH // 2)
    (folder / token).write_bytes(data)
    return token


def _kept(user: Any, token: str) -> Path | None:
    if len(token) != TOKEN_LENGTH or not all(c in "0123456789abcdef" for c in token):
        return None
    path = _folder(user) / token
    return path if path.is_file() else None


def sweep_previews(now: float | None = None) -> int:
    """Delete previews older than ``PREVIEW_TTL``; returns how many went."""
    cutoff = (now or time.time()) - PREVIEW_TTL.total_seconds()
    stale = [
        p for p in _root().glob("*/*") if p.is_file() and p.stat().st_mtime < cutoff
    ]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
