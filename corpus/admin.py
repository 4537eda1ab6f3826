"""Admin: correct document metadata, delete documents; browse (not edit) records.

Documents are created by ``manage.py ingest``, not here. Their citation
metadata (title, authors, affiliation, year, language) is editable and
survives re-ingestion. Saving and deleting go through ``corpus.curation``
(``document_update``, ``document_delete``), like the app's own pages, so the
search index, annotations and the activity log follow. Paragraph records are
derived from the source file and are read-only here (curators correct them on
the reading page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from corpus import curation
from corpus.forms import DocumentForm
from corpus.models import Document, Paragraph


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = ["display_title", "source_name", "author_list", "year", "language"]
    list_filter = ["language", "year"]
    search_fields = ["title", "source_name", "affiliation", "authors"]
    readonly_fields = [
        "source_name",
        "slug",
        "iri",
        "content_hash",
        "ingested_at",
        "records",
    ]
    fields = [*curation.EDITABLE_FIELDS, *readonly_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # documents come from the upload page or `manage.py ingest`

    def add_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """The add address leads to the upload page instead of a bare 403."""
        messages.info(request, "Documents are added on the upload page.")
        return redirect("corpus:upload")

    def save_model(
        self, request: HttpRequest, obj: Document, form: Any, change: bool
    ) -> None:
        """Through ``document_update`` (the form already ran its checks), so
        the index learns of a new title or byline."""
        fields = {k: form.cleaned_data[k] for k in curation.EDITABLE_FIELDS}
        curation.document_update(actor=request.user, document=obj, **fields)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """The admin would refuse because records cannot be deleted here one
        by one; ``document_delete`` deletes them (and their annotations) with
        the document, and checks the role itself."""
        to_delete, counts, _perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        return to_delete, counts, set(), protected

    def delete_model(self, request: HttpRequest, obj: Document) -> None:
        curation.document_delete(actor=request.user, document=obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Document]
    ) -> None:
        """The bulk action: every document through ``document_delete``, all or
        nothing."""
        with transaction.atomic():
            for document in queryset:
                curation.document_delete(actor=request.user, document=document)

    @admin.display(description="title", ordering="title")
    def display_title(self, document: Document) -> str:
        return document.display_title

    @admin.display(description="authors")
    def author_list(self, document: Document) -> str:
        return "; ".join(document.authors)

    @admin.display(description="records")
    def records(self, document: Document) -> str:
        url = reverse("admin:corpus_paragraph_changelist")
        counts = ", ".join(f"{n} {kind}" for kind, n in document.kind_counts().items())
        return format_html(
            '<a href="{}?document__id__exact={}">{}</a> · <a href="{}">{}</a>',
            url,
            document.pk,
            counts,
            document.get_absolute_url(),
            "reading page",
        )


@admin.register(Paragraph)
class ParagraphAdmin(admin.ModelAdmin):
    list_display = ["document", "position", "kind", "hidden", "lang", "page", "excerpt"]
    list_filter = ["kind", "hidden", "lang", "document"]
    search_fields = ["text", "section"]
    list_select_related = ["document"]
    ordering = ["document__source_name", "position"]
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Paragraph | None = None
    ) -> bool:
        return False  # derived data: re-ingest replaces it

    def has_delete_permission(
        self, request: HttpRequest, obj: Paragraph | None = None
    ) -> bool:
        return False  # deleting records here would strand annotations and the index

    @admin.display(description="text")
    def excerpt(self, paragraph: Paragraph) -> str:
        text = paragraph.text.replace("\n", " ")
        return text if len(text) <= 120 else text[:119] + "…"
