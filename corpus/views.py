"""Read-only pages: the document list and a document's reading page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

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


def document_list(request: HttpRequest) -> HttpResponse:
    documents = Document.objects.with_kind_counts()
    return render(
        request,
        "corpus/document_list.html",
        {"documents": documents, "kind_headers": KIND_HEADERS.values()},
    )


def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The reading page; ``?hl=<position>`` marks that record (a search hit)."""
    document = get_object_or_404(Document, slug=slug)
    page = reading_page(document.paragraphs.order_by("position"))
    marked = request.GET.get("hl", "")
    context = {
        "document": document,
        "page": page,
        "marked": int(marked) if marked.isascii() and marked.isdigit() else None,
    }
    return render(request, "corpus/document_detail.html", context)
