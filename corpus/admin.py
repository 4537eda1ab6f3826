"""Admin: correct document metadata; browse (not edit) ingested records.

Documents are created by ``manage.py ingest``, not here. Their citation
metadata (title, authors, affiliation, year) is editable and survives
re-ingestion. Paragraph records are derived from the source file and are
replaced on re-ingest, so they are read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from corpus.models import Document, Paragraph


class AuthorsField(forms.CharField):
    """Edit a list of author names as one name per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class DocumentForm(forms.ModelForm):
    authors = AuthorsField(required=False, help_text="One name per line.")

    class Meta:
        model = Document
        fields = ["title", "authors", "affiliation", "year"]


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
        "language",
        "content_hash",
        "ingested_at",
        "records",
    ]
    fields = ["title", "authors", "affiliation", "year", *readonly_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # documents come from `manage.py ingest`

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
    list_display = ["document", "position", "kind", "lang", "page", "excerpt"]
    list_filter = ["kind", "lang", "document"]
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

    @admin.display(description="text")
    def excerpt(self, paragraph: Paragraph) -> str:
        text = paragraph.text.replace("\n", " ")
        return text if len(text) <= 120 else text[:119] + "…"
