"""Curation pages: edit a document's metadata, delete it, correct its records.

Curators and admins only (403 for everyone else; the services check again).
Each view validates its form (a 400 with the message otherwise), calls one
``corpus.curation`` service and redirects with a message. The record controls
are plain forms on the reading page (``?curate=1``), so they work without
JavaScript; a refused correction re-renders that page with the reason, as 400.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.projects import request_project
from corpus import curation
from corpus.forms import DocumentForm, KindForm, MergeForm, SplitForm
from corpus.models import Document, Paragraph
from corpus.views import project_document, render_reading_page

View = Callable[..., HttpResponse]


def curator_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not curation.can_curate(request.user, request_project(request)):
            raise PermissionDenied("This page needs the Curator role.")
        return view(request, *args, **kwargs)

    return wrapped


# --- documents ----------------------------------------------------------------


@curator_required
def document_edit(request: HttpRequest, slug: str) -> HttpResponse:
    document = project_document(request, slug)
    # The form gets its own copy: a rejected value must not show up as the
    # page's heading.
    form = DocumentForm(
        request.POST or None, instance=Document.objects.get(pk=document.pk)
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in curation.EDITABLE_FIELDS}
        try:
            document = curation.document_update(
                actor=request.user, document=document, **fields
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Saved the details of {document.display_title}.")
            return redirect(document)
    status = 400 if form.errors else 200
    context = {"document": document, "form": form}
    return render(request, "corpus/document_edit.html", context, status=status)


@curator_required
def document_delete(request: HttpRequest, slug: str) -> HttpResponse:
    document = project_document(request, slug)
    if request.method == "POST":
        title = document.display_title
        try:
            gone = curation.document_delete(actor=request.user, document=document)
        except ValidationError as error:  # deleted meanwhile by someone else
            messages.error(request, " ".join(error.messages))
            return redirect("corpus:document_list")
        messages.success(
            request,
            f"Deleted {title} with its {gone.records} records and "
            f"{gone.annotations} annotations.",
        )
        return redirect("corpus:document_list")
    context = {"document": document, "gone": curation.document_delete_preview(document)}
    return render(request, "corpus/document_delete.html", context)


# --- records --------------------------------------------------------------------


@require_POST
@curator_required
def paragraph_merge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    record = _record(request, slug, pk)
    form = MergeForm(request.POST)
    return _correct(
        request,
        record,
        form,
        lambda data: curation.paragraph_merge_next(
            actor=request.user, paragraph=record, joiner=data["joiner"]
        ),
        "Merged the record with the next one.",
    )


@require_POST
@curator_required
def paragraph_kind(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    record = _record(request, slug, pk)
    return _correct(
        request,
        record,
        KindForm(request.POST),
        lambda data: curation.paragraph_set_kind(
            actor=request.user, paragraph=record, kind=data["kind"]
        ),
        "Changed the record's kind.",
    )


@require_POST
@curator_required
def paragraph_hide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    record = _record(request, slug, pk)
    done = (
        f"Hid record {record.position}: it is left out of reading, search and "
        "exports. “Hidden records” at the end of the page lists it."
    )
    act = lambda data: curation.paragraph_hide(actor=request.user, paragraph=record)  # noqa: E731
    return _correct(request, record, forms.Form(request.POST), act, done)


@require_POST
@curator_required
def paragraph_show(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    record = _record(request, slug, pk)
    done = f"Record {record.position} is shown again."
    act = lambda data: curation.paragraph_show(actor=request.user, paragraph=record)  # noqa: E731
    return _correct(request, record, forms.Form(request.POST), act, done)


@curator_required
def paragraph_split(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET: the split page; POST: split, or with ``preview`` only show the two
    parts it would make."""
    record = _record(request, slug, pk)
    initial = {"second_kind": _default_second_kind(record)}
    form = SplitForm(request.POST or None, initial=initial)
    preview = None
    if form.is_bound and form.is_valid():
        try:
            if "preview" not in request.POST:
                return _split(request, record, form.cleaned_data)
            preview = curation.split_preview(record, form.cleaned_data["offset"])
        except ValidationError as error:
            _apply_errors(form, error)
    context = {
        "document": record.document,
        "record": record,
        "form": form,
        "candidates": curation.split_candidates(record.text),
        "digest": curation.text_digest(record.text),
        "preview": preview,
        "chosen": str(form.data.get("point") or "") if form.is_bound else "",
    }
    status = 400 if form.errors else 200
    return render(request, "corpus/paragraph_split.html", context, status=status)


# --- helpers --------------------------------------------------------------------


def _record(request: HttpRequest, slug: str, pk: int) -> Paragraph:
    """Record ``pk`` of the current project's document ``slug``, else 404."""
    records = Paragraph.objects.in_project(request_project(request))
    return get_object_or_404(
        records.select_related("document"), pk=pk, document__slug=slug
    )


def _correct(
    request: HttpRequest,
    record: Paragraph,
    form: Any,
    act: Callable[[dict[str, Any]], Paragraph],
    done: str,
) -> HttpResponse:
    """Validate ``form``, run ``act`` with its data, go back to the record; or
    show the reading page with the reasons (400)."""
    if not form.is_valid():
        return render_reading_page(request, record.document, _messages(form.errors))
    try:
        result = act(form.cleaned_data)
    except ValidationError as error:
        return render_reading_page(request, record.document, error.messages)
    messages.success(request, done)
    return _back(record.document, result.position)


def _split(
    request: HttpRequest, record: Paragraph, data: dict[str, Any]
) -> HttpResponse:
    second = curation.paragraph_split(
        actor=request.user,
        paragraph=record,
        offset=data["offset"],
        second_kind=data["second_kind"],
        digest=data["digest"] or None,
    )
    messages.success(
        request, f"Split record {record.position} in two (the second is {second.kind})."
    )
    return _back(record.document, record.position)


def _back(document: Document, position: int) -> HttpResponse:
    url = reverse("corpus:document_detail", kwargs={"slug": document.slug})
    return redirect(f"{url}?curate=1#p-{max(position, 0)}")


def _default_second_kind(record: Paragraph) -> str:
    # A heading that swallowed the start of the text is the usual reason to
    # split one, so its second part is body text unless chosen otherwise.
    if record.kind == Paragraph.Kind.HEADING:
        return Paragraph.Kind.PARAGRAPH
    return record.kind


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _messages(errors: dict[str, list[str]]) -> list[str]:
    return [message for problems in errors.values() for message in problems]
