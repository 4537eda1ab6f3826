"""The document list and a document's reading page (with, for curators, the
correction controls whose forms post to ``corpus.curation_views``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.projects import request_project
from corpus import curation
from corpus.forms import JOINER_CHOICES
from corpus.models import Document, Paragraph
from corpus.reading import reading_page

# Column headers of the list page, in Paragraph.Kind order.
KIND_HEADERS = {
    Paragraph.Kind.HEADING: "Headings",
    Paragraph.Kind.PARAGRAPH: "Paragraphs",
    Paragraph.Kind.FOOTNOTE: "Footnotes",
    Paragraph.Kind.REFERENCE: "References",
    Paragraph.Kind.META: "Meta",
}


def project_document(request: HttpRequest, slug: str) -> Document:
    """The current project's document ``slug``; 404 otherwise, whether it does
    not exist or belongs to a project the person cannot open (same answer)."""
    return get_object_or_404(
        Document.objects.in_project(request_project(request)), slug=slug
    )


def document_list(request: HttpRequest) -> HttpResponse:
    project = request_project(request)
    documents = Document.objects.in_project(project).with_kind_counts()
    return render(
        request,
        "corpus/document_list.html",
        {"documents": documents, "kind_headers": KIND_HEADERS.values()},
    )


def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The reading page; ``?hl=<position>`` marks that record (a search hit);
    ``?curate=1`` adds a curator's correction controls to every record."""
    document = project_document(request, slug)
    return render_reading_page(request, document)


def render_reading_page(
    request: HttpRequest, document: Document, errors: list[str] | None = None
) -> HttpResponse:
    """The reading page of visible records; with ``errors`` (a refused
    correction) they are shown at the top and the status is 400."""
    records = list(document.paragraphs.visible().order_by("position"))
    marked = request.GET.get("hl", "")
    can_curate = curation.can_curate(request.user, request_project(request))
    context = {
        "document": document,
        "page": reading_page(records),
        "marked": int(marked) if marked.isascii() and marked.isdigit() else None,
        "can_curate": can_curate,
        "curating": can_curate and (request.GET.get("curate") == "1" or bool(errors)),
        "errors": errors or [],
    }
    if context["curating"]:
        context |= _curation_context(document, records)
    status = 400 if errors else 200
    return render(request, "corpus/document_detail.html", context, status=status)


def _curation_context(document: Document, records: list[Paragraph]) -> dict[str, Any]:
    return {
        "kinds": Paragraph.Kind.choices,
        "joiners": JOINER_CHOICES,
        "last_visible": records[-1].pk if records else None,
        "hidden_records": document.paragraphs.filter(hidden=True).order_by("position"),
    }


def document_original(request: HttpRequest, slug: str) -> FileResponse:
    """The document's original file, as it was ingested, under its own name.

    Every reader may download it (it is what the records cite). A document
    ingested before originals were kept has none until it is ingested again.
    """
    document = project_document(request, slug)
    if not document.source_file:
        raise Http404("This document's original file is not kept.")
    try:
        handle = document.source_file.open("rb")
    except FileNotFoundError:
        raise Http404("This document's original file is missing.") from None
    return FileResponse(
        handle, as_attachment=True, filename=Path(document.source_name).name
    )
