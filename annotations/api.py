"""The JSON API for themes and annotations (a django-ninja router).

Thin handlers: the schemas (``annotations/schemas.py``) validate the input,
the handler resolves ids to rows (an unknown one is a 422 naming the field),
checks the role, calls one service or selector and returns the result; the
API assembled in ``config/api.py`` words every refusal as
``{"error": message, "errors": {field: [messages]}}``.

Authentication and the request's project: ``accounts.api_auth``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from accounts import roles
from accounts.api_fields import ApiError, ErrorOut, QueryInt, Text
from accounts.models import Project
from accounts.projects import request_project
from annotations import selectors, services
from annotations.models import Annotation, Theme
from annotations.schemas import (
    AnnotationIn,
    AnnotationOut,
    AnnotationPage,
    AnnotationPatch,
    BulkIn,
    BulkOut,
    ThemeList,
)
from annotations.selectors import AnnotationFilters, display_name
from corpus.models import Document, Paragraph

WRITE_BODY_LIMIT = 64 * 1024
BULK_BODY_LIMIT = 256 * 1024
PAGE_LIMIT = 1000
LAST_USED_GRANULARITY = 60  # seconds: a token check writes at most once a minute


ERRORS_READ = {401: ErrorOut, 403: ErrorOut}
ERRORS_INPUT = {400: ErrorOut, 422: ErrorOut}
# 400: the request breaks the description; 422: well-formed, but the data
# refuse it (config/api.py).
ERRORS_WRITE = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}

router = Router(tags=["annotations"])


# --- serialisation ----------------------------------------------------------


def theme_json(theme: Theme) -> dict[str, Any]:
    return {
        "slug": theme.slug,
        "name": theme.name,
        "description": theme.description,
        "inclusion": theme.inclusion,
        "exclusion": theme.exclusion,
        "colour": theme.colour,
        "guid": theme.guid,
        "retired": theme.retired,
        # The code hierarchy: the parent theme's slug, None at the top level.
        "parent": theme.parent.slug if theme.parent else None,
    }


def annotation_json(
    annotation: Annotation, user: User, project: Project | None
) -> dict[str, Any]:
    paragraph = annotation.paragraph
    return {
        "id": annotation.pk,
        "url": f"/api/annotations/{annotation.pk}",
        "document": annotation.document.slug,
        "paragraph": annotation.paragraph_id,
        "position": paragraph.position if paragraph else None,
        "link": paragraph.get_absolute_url() if paragraph else None,
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "themes": sorted(theme.slug for theme in annotation.themes.all()),
        "note": annotation.note,
        "author": {
            "username": annotation.author.get_username(),
            "name": display_name(annotation.author),
        },
        "created": annotation.created,
        "updated": annotation.updated,
        "orphaned": annotation.orphaned,
        "can_change": roles.can_change_annotation(user, project, annotation),
    }


def _stored(annotation: Annotation, request: HttpRequest) -> dict[str, Any]:
    """Re-read with everything the JSON shows (after a write)."""
    fresh = Annotation.objects.for_display().get(pk=annotation.pk)
    return annotation_json(fresh, request.auth, request_project(request))  # type: ignore[attr-defined]


# --- themes -----------------------------------------------------------------


@router.get(
    "/themes",
    response={200: ThemeList, **ERRORS_READ},
    summary="The codebook, retired themes last.",
)
def themes(request: HttpRequest) -> dict[str, Any]:
    rows = (
        Theme.objects.filter(project=request_project(request))
        .select_related("parent")
        .order_by("retired", "name")
    )
    return {"results": [theme_json(theme) for theme in rows]}


# --- annotations ------------------------------------------------------------


class AnnotationQuery(Schema):
    document: Text | None = None
    paragraph: QueryInt | None = None
    theme: Text | None = None
    user: Text | None = None
    limit: QueryInt = PAGE_LIMIT
    offset: QueryInt = 0


@router.get(
    "/annotations",
    response={200: AnnotationPage, **ERRORS_INPUT, **ERRORS_READ},
    summary="Annotations in reading order, filtered; at most 1000 a page.",
)
def annotation_list(
    request: HttpRequest, params: Query[AnnotationQuery]
) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    rows = selectors.annotations_matching(
        _filters(params, user, request_project(request))
    )
    limit, offset = min(params.limit or PAGE_LIMIT, PAGE_LIMIT), params.offset
    total = rows.count()
    page = [
        annotation_json(a, user, request_project(request))
        for a in rows[offset : offset + limit]
    ]
    following = offset + limit if offset + limit < total else None
    return {"count": total, "next_offset": following, "results": page}


def _filters(
    params: AnnotationQuery, user: User, project: Project | None
) -> AnnotationFilters:
    """Query parameters -> filters; an unknown value is a 422, not an empty list.

    Every value is looked up in the request's project only: another project's
    document, paragraph, theme or person is "unknown", word for word.
    """
    document = theme = author = paragraph = None
    if params.document:
        documents = Document.objects.in_project(project)
        document = documents.filter(slug=params.document).first()
        _known(document, "document", params.document)
    if params.paragraph is not None:
        paragraph = _project_paragraph(params.paragraph, project)
    if params.theme:
        themes = Theme.objects.filter(project=project)
        theme = themes.filter(slug=params.theme.lower()).first()
        _known(theme, "theme", params.theme)
    if params.user:
        author = user if params.user == "me" else _user_named(params.user, project)
    return AnnotationFilters(project, document, paragraph, theme, author)


def _project_paragraph(pk: int, project: Project | None) -> Paragraph:
    found = Paragraph.objects.in_project(project).filter(pk=pk).first()
    _known(found, "paragraph", str(pk))
    return found  # type: ignore[return-value]


def _known(found: object, what: str, value: str) -> None:
    if found is None:
        raise ApiError(422, f"Unknown {what}: “{value}”.", {what: ["Unknown."]})


def _user_named(username: str, project: Project | None) -> User:
    found = selectors.people(project).filter(username=username).first()
    _known(found, "user", username)
    return found  # type: ignore[return-value]


def _require_annotator(request: HttpRequest) -> None:
    if not roles.can_annotate(request.auth, request_project(request)):  # type: ignore[attr-defined]
        raise ApiError(403, "Only annotators, curators and admins can annotate.")


@router.post(
    "/annotations",
    response={201: AnnotationOut, **ERRORS_WRITE},
    summary="Tag a span of a paragraph (annotators and up).",
)
def annotation_create(
    request: HttpRequest, response: HttpResponse, payload: AnnotationIn
) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    _require_annotator(request)
    paragraph = _project_paragraph(payload.paragraph, request_project(request))
    annotation = services.annotation_create(
        author=user,
        paragraph=paragraph,
        start=payload.start,
        end=payload.end,
        themes=payload.themes,
        note=payload.note,
        quote=payload.quote,
    )
    response["Location"] = f"/api/annotations/{annotation.pk}"
    return Status(201, _stored(annotation, request))


def _found(pk: int, project: Project | None) -> Annotation:
    """Annotation ``pk`` of the request's project; any other is "No annotation"."""
    found = Annotation.objects.in_project(project).for_display().filter(pk=pk).first()
    if found is None:
        raise ApiError(404, f"No annotation {pk}.")
    return found


def _changeable(pk: int, request: HttpRequest) -> Annotation:
    found = _found(pk, request_project(request))
    if not roles.can_change_annotation(request.auth, request_project(request), found):  # type: ignore[attr-defined]
        raise ApiError(403, "You may change only your own annotations.")
    return found


ONE = "/annotations/{int:pk}"
NOT_FOUND = {404: ErrorOut}


@router.get(
    ONE,
    response={200: AnnotationOut, **ERRORS_INPUT, **ERRORS_READ, **NOT_FOUND},
    summary="One annotation.",
)
def annotation(request: HttpRequest, pk: QueryInt) -> dict[str, Any]:
    project = request_project(request)
    return annotation_json(_found(pk, project), request.auth, request_project(request))  # type: ignore[attr-defined]


@router.patch(
    ONE,
    response={200: AnnotationOut, **ERRORS_WRITE, **NOT_FOUND},
    summary="Change themes, note or span (the author or a curator).",
)
def annotation_update(
    request: HttpRequest, pk: QueryInt, payload: AnnotationPatch
) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    found = _changeable(pk, request)
    services.annotation_update(actor=user, annotation=found, **payload.model_dump())
    return _stored(found, request)


@router.delete(
    ONE,
    response={204: None, **ERRORS_INPUT, **ERRORS_READ, **NOT_FOUND},
    summary="Delete (the author or a curator).",
)
def annotation_delete(request: HttpRequest, pk: QueryInt) -> HttpResponse:
    user: User = request.auth  # type: ignore[attr-defined]
    services.annotation_delete(actor=user, annotation=_changeable(pk, request))
    return HttpResponse(status=204)


@router.post(
    "/annotations/bulk",
    response={200: BulkOut, 201: BulkOut, **ERRORS_WRITE},
    summary="Tag many passages with one theme; repeats are skipped.",
    description="201 when some passages were tagged, 200 when all already were.",
)
def annotations_bulk(request: HttpRequest, payload: BulkIn) -> Status[dict[str, Any]]:
    user: User = request.auth  # type: ignore[attr-defined]
    _require_annotator(request)
    spans = [services.SpanRequest(i.paragraph, i.start, i.end) for i in payload.items]
    outcome = services.annotations_bulk_create(
        author=user,
        project=request_project(request),  # type: ignore[arg-type]
        theme=payload.theme,
        items=spans,
        note=payload.note,
    )
    created = [_stored(a, request) for a in outcome.created]
    body = {"created": created, "skipped": outcome.skipped}
    return Status(201 if created else 200, body)
