"""The export page (``/export/``, Viewer and up): filters, a format picker and
the download itself.

The view only validates the filters, picks the exporter and sets headers:
CSV, JSON Lines and W3C stream (``StreamingHttpResponse``, one excerpt at a
time); the books and REFI-QDA files are built in memory first. Bad filter
values re-render the form with a message (400), never a 500.
"""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.projects import request_project
from accounts.roles import Role, role_required
from annotations import selectors
from annotations.exports import FORMATS, Format
from annotations.exports.options import FilterError, parse_filters
from annotations.exports.selection import CODERS, ExportRows, export_rows
from annotations.models import Theme
from corpus.models import Document


@role_required(Role.VIEWER)
def export_page(request: HttpRequest) -> HttpResponse:
    params = request.GET
    if "format" not in params:
        return _form(request)
    exporter = FORMATS.get(params["format"])
    if exporter is None:
        return _form(request, "Choose one of the formats.", 400)
    try:
        filters = parse_filters(
            project=request_project(request),
            themes=params.getlist("theme"),
            users=params.getlist("user"),
            documents=params.getlist("document"),
            since=params.get("since", ""),
            until=params.get("until", ""),
            query=params.get("query", ""),
            date_labels=("Created from", "Created to"),  # as the form labels them
            viewer=request.user,
            layer=params.get("layer") or CODERS,
            agreed=params.get("agreed") == "1",
        )
    except FilterError as exc:
        return _form(request, str(exc), 400)
    # Links in the file lead back to the site at the address the person uses.
    base_url = request.build_absolute_uri("/")
    return download(exporter, export_rows(filters, base_url=base_url))


def download(exporter: Format, rows: ExportRows) -> HttpResponse:
    """The export as an attachment named ``gloss-excerpts-<date>.<ext>``."""
    response: HttpResponse | StreamingHttpResponse
    if exporter.streams:
        response = StreamingHttpResponse(
            exporter.module.chunks(rows), content_type=exporter.content_type
        )
    else:
        buffer: Any = io.BytesIO() if exporter.binary else io.StringIO()
        exporter.module.write(rows, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=exporter.content_type)
    name = f"gloss-excerpts-{timezone.localdate():%Y-%m-%d}.{exporter.extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # type: ignore[return-value]


def _form(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    project = request_project(request)
    context = {
        "formats": FORMATS.values(),
        "themes": Theme.objects.filter(project=project).order_by("name"),
        "users": selectors.annotators(project),
        "documents": Document.objects.in_project(project).order_by("source_name"),
        "error": error,
        "chosen": request.GET,
    }
    return render(request, "annotations/export.html", context, status=status)
