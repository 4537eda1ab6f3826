"""The JSON API: themes and annotations, with the pages' permissions.

Thin handlers: ``api_view`` authenticates (a session, with its CSRF check on
writes, or ``Authorization: Bearer <token>``), checks the method, and turns
every refusal into a 4xx JSON body ``{"error": message}`` (validation adds
``"errors": {field: [messages]}``). Handlers parse and type-check the input
(all 400s there), call one service or selector and serialise the result. The
OpenAPI description (``openapi.py``) documents exactly this surface.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from annotations import roles, selectors, services
from annotations.models import Annotation, ApiToken, Theme
from annotations.openapi import openapi_document
from annotations.selectors import AnnotationFilters, display_name
from corpus.models import Document, Paragraph

WRITE_BODY_LIMIT = 64 * 1024
BULK_BODY_LIMIT = 256 * 1024
PAGE_LIMIT = 1000
MAX_OFFSET = 10**9
Handler = Callable[..., HttpResponse]


class ApiError(Exception):
    """A refusal with its HTTP status; the message is shown to the caller."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra

    def response(self) -> JsonResponse:
        response = JsonResponse(
            {"error": self.message, **self.extra}, status=self.status
        )
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="gloss"'
        return response


# --- the wrapper every endpoint goes through --------------------------------


def api_view(*methods: str) -> Callable[[Handler], Handler]:
    """Authenticate, check method and role, and map refusals to JSON 4xx."""

    def decorator(handler: Handler) -> Handler:
        @login_not_required  # answers 401 itself instead of redirecting
        @csrf_exempt  # session writes are CSRF-checked in _authenticate
        @wraps(handler)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    allowed = ", ".join(methods)
                    raise ApiError(405, f"Use {allowed} on this address.")
                user = _authenticate(request)
                return handler(request, user, *args, **kwargs)
            except ApiError as error:
                return _with_allow(error.response(), error, methods)
            except ValidationError as error:
                return _invalid(error)
            except PermissionDenied as error:
                return ApiError(403, str(error) or "Not allowed.").response()
            except ObjectDoesNotExist:  # deleted by someone else meanwhile
                return ApiError(404, "It no longer exists; reload.").response()

        return view

    return decorator


def _with_allow(
    response: HttpResponse, error: ApiError, methods: tuple[str, ...]
) -> HttpResponse:
    if error.status == 405:
        response["Allow"] = ", ".join(methods)
    return response


def _invalid(error: ValidationError) -> JsonResponse:
    errors = (
        error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    )
    message = " ".join(m for messages in errors.values() for m in messages)
    return ApiError(400, message, errors=errors).response()


def _authenticate(request: HttpRequest) -> AbstractBaseUser:
    """Bearer token or session; a session write must pass the CSRF check."""
    header = request.headers.get("Authorization", "")
    if header:
        user = _token_user(header)
    elif request.user.is_authenticated:
        user = request.user
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            _check_csrf(request)
    else:
        raise ApiError(401, "Sign in, or send Authorization: Bearer <token>.")
    if not roles.can_read(user):
        raise ApiError(403, "Your account has no role yet; ask an administrator.")
    return user


def _token_user(header: str) -> AbstractBaseUser:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Use the header Authorization: Bearer <token>.")
    found = ApiToken.objects.matching(token.strip()).select_related("user").first()
    if found is None or not found.user.is_active:
        raise ApiError(401, "This token is unknown or revoked.")
    now = timezone.now()
    if found.last_used is None or (now - found.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=found.pk).update(last_used=now)  # cheap, rare
    return found.user


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


def _check_csrf(request: HttpRequest) -> None:
    reason = _CsrfCheck(lambda r: HttpResponse()).process_view(request, None, (), {})
    if reason:
        raise ApiError(403, f"CSRF check failed ({reason}); reload the page.")


# --- input parsing ----------------------------------------------------------


def _body(request: HttpRequest, limit: int, allowed: set[str]) -> dict[str, Any]:
    """The JSON object in the body, at most ``limit`` bytes, only known keys."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise ApiError(413, f"The body is too large (at most {limit} bytes).")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(413, f"The body is too large (at most {limit} bytes).") from None
    if len(raw) > limit:
        raise ApiError(413, f"The body is too large (at most {limit} bytes).")
    if _nesting(raw) > MAX_JSON_NESTING:
        raise ApiError(
            400, f"The body nests too deeply (at most {MAX_JSON_NESTING} levels)."
        )
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, f"The body is not valid JSON ({error}).") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApiError(400, f"Unknown field(s): {', '.join(unknown)}.")
    return data


MAX_JSON_NESTING = 16
_BRACKETS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _nesting(raw: bytes) -> int:
    """The deepest bracket nesting of a JSON text, strings skipped; the parser
    recurses once per level, so a 1 KB body of brackets would crash it.

    >>> _nesting(b'{"a": [1, {"b": "[[["}]}'), _nesting(b"[" * 50)
    (3, 50)
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _int(data: dict[str, Any], key: str, *, required: bool) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ApiError(400, f"“{key}” is required.", errors={key: ["Required."]})
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_OFFSET:
        raise ApiError(400, f"“{key}” must be a whole number.")
    return value


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, f"“{key}” must be a string.")
    if value is not None and not storable(value):
        raise ApiError(
            400,
            f"“{key}” contains a NUL or an unpaired surrogate character.",
            errors={key: ["Not storable text."]},
        )
    return value


def storable(text: str) -> bool:
    """Whether a database (and a UTF-8 encoder) can store ``text``: JSON may
    carry a NUL or an unpaired surrogate ("\\ud800"), neither of which can be.

    >>> storable("café"), storable("a\\x00b"), storable("\\ud800")
    (True, False, False)
    """
    return "\x00" not in text and not _SURROGATE.search(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _slugs(data: dict[str, Any], key: str, *, required: bool) -> list[str] | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, f"“{key}” must be a list of theme slugs.")
    if len(value) > 50:
        raise ApiError(400, f"“{key}” has too many themes (at most 50).")
    return value


def _query_int(request: HttpRequest, key: str, default: int | None) -> int | None:
    raw = request.GET.get(key, "")
    if not raw:
        return default
    # isdigit() alone admits "²" and other digits int() refuses.
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_OFFSET:
        raise ApiError(400, f"“{key}” must be a whole number.")
    return int(raw)


# --- serialisation ----------------------------------------------------------


def theme_json(theme: Theme) -> dict[str, Any]:
    return {
        "slug": theme.slug,
        "name": theme.name,
        "description": theme.description,
        "inclusion": theme.inclusion,
        "exclusion": theme.exclusion,
        "colour": theme.colour,
        "guid": str(theme.guid),
        "retired": theme.retired,
        # The code hierarchy: the parent theme's slug, None at the top level.
        "parent": theme.parent.slug if theme.parent_id else None,
    }


def annotation_json(annotation: Annotation, user: AbstractBaseUser) -> dict[str, Any]:
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
        "created": annotation.created.isoformat(),
        "updated": annotation.updated.isoformat(),
        "orphaned": annotation.orphaned,
        "can_change": roles.can_change_annotation(user, annotation),
    }


def _stored(annotation: Annotation, user: AbstractBaseUser) -> dict[str, Any]:
    """Re-read with everything the JSON shows (after a write)."""
    fresh = Annotation.objects.for_display().get(pk=annotation.pk)
    return annotation_json(fresh, user)


# --- endpoints --------------------------------------------------------------


@api_view("GET")
def themes(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse:
    rows = Theme.objects.select_related("parent").order_by("retired", "name")
    return JsonResponse({"results": [theme_json(theme) for theme in rows]})


@api_view("GET", "POST")
def annotations(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse:
    if request.method == "POST":
        return _create(request, user)
    filters = _filters(request, user)
    limit = min(_query_int(request, "limit", PAGE_LIMIT) or PAGE_LIMIT, PAGE_LIMIT)
    offset = _query_int(request, "offset", 0) or 0
    rows = selectors.annotations_matching(filters)
    total = rows.count()
    page = [annotation_json(a, user) for a in rows[offset : offset + limit]]
    following = offset + limit if offset + limit < total else None
    return JsonResponse({"count": total, "next_offset": following, "results": page})


def _filters(request: HttpRequest, user: AbstractBaseUser) -> AnnotationFilters:
    """Query parameters -> filters; an unknown value is a 400, not an empty list."""
    query = request.GET
    document = theme = author = paragraph = None
    if query.get("document"):
        document = Document.objects.filter(slug=query["document"]).first()
        _known(document, "document", query["document"])
    if query.get("paragraph"):
        pk = _query_int(request, "paragraph", None)
        paragraph = Paragraph.objects.filter(pk=pk).first()
        _known(paragraph, "paragraph", query["paragraph"])
    if query.get("theme"):
        theme = Theme.objects.filter(slug=query["theme"].lower()).first()
        _known(theme, "theme", query["theme"])
    if query.get("user"):
        author = user if query["user"] == "me" else _user_named(query["user"])
    return AnnotationFilters(document, paragraph, theme, author)


def _known(found: object, what: str, value: str) -> None:
    if found is None:
        raise ApiError(400, f"Unknown {what}: “{value}”.", errors={what: ["Unknown."]})


def _user_named(username: str) -> AbstractBaseUser:
    found = get_user_model()._default_manager.filter(username=username).first()
    _known(found, "user", username)
    return found  # type: ignore[return-value]


def _create(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse:
    if not roles.can_annotate(user):
        raise ApiError(403, "Only annotators, curators and admins can annotate.")
    keys = {"paragraph", "start", "end", "themes", "note", "quote"}
    data = _body(request, WRITE_BODY_LIMIT, keys)
    pk = _int(data, "paragraph", required=True)
    paragraph = Paragraph.objects.filter(pk=pk).first()
    _known(paragraph, "paragraph", str(pk))
    annotation = services.annotation_create(
        author=user,
        paragraph=paragraph,  # type: ignore[arg-type]
        start=_int(data, "start", required=True),  # type: ignore[arg-type]
        end=_int(data, "end", required=True),  # type: ignore[arg-type]
        themes=_slugs(data, "themes", required=True) or [],
        note=_text(data, "note") or "",
        quote=_text(data, "quote"),
    )
    response = JsonResponse(_stored(annotation, user), status=201)
    response["Location"] = f"/api/annotations/{annotation.pk}"
    return response


@api_view("GET", "PATCH", "DELETE")
def annotation(request: HttpRequest, user: AbstractBaseUser, pk: int) -> HttpResponse:
    found = Annotation.objects.for_display().filter(pk=pk).first()
    if found is None:
        raise ApiError(404, f"No annotation {pk}.")
    if request.method == "GET":
        return JsonResponse(annotation_json(found, user))
    if not roles.can_change_annotation(user, found):
        raise ApiError(403, "You may change only your own annotations.")
    if request.method == "DELETE":
        services.annotation_delete(actor=user, annotation=found)
        return HttpResponse(status=204)
    data = _body(request, WRITE_BODY_LIMIT, {"start", "end", "themes", "note", "quote"})
    services.annotation_update(
        actor=user,
        annotation=found,
        themes=_slugs(data, "themes", required=False),
        note=_text(data, "note"),
        start=_int(data, "start", required=False),
        end=_int(data, "end", required=False),
        quote=_text(data, "quote"),
    )
    return JsonResponse(_stored(found, user))


@api_view("POST")
def annotations_bulk(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse:
    """Tag many passages with one theme (what the bulk review page confirms)."""
    if not roles.can_annotate(user):
        raise ApiError(403, "Only annotators, curators and admins can annotate.")
    data = _body(request, BULK_BODY_LIMIT, {"theme", "items", "note"})
    theme = _text(data, "theme")
    items = data.get("items")
    if not theme:
        raise ApiError(400, "“theme” is required.", errors={"theme": ["Required."]})
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, "“items” must be a list of objects.")
    spans = [_span_request(item) for item in items]
    outcome = services.annotations_bulk_create(
        author=user, theme=theme, items=spans, note=_text(data, "note") or ""
    )
    created = [_stored(a, user) for a in outcome.created]
    body = {"created": created, "skipped": outcome.skipped}
    return JsonResponse(body, status=201 if created else 200)


def _span_request(item: dict[str, Any]) -> services.SpanRequest:
    unknown = sorted(set(item) - {"paragraph", "start", "end"})
    if unknown:
        raise ApiError(400, f"Unknown field(s) in an item: {', '.join(unknown)}.")
    start, end = _int(item, "start", required=False), _int(item, "end", required=False)
    if (start is None) != (end is None):
        raise ApiError(
            400, "Give both “start” and “end”, or neither (whole paragraph)."
        )
    paragraph = _int(item, "paragraph", required=True)
    return services.SpanRequest(paragraph, start, end)  # type: ignore[arg-type]


@login_not_required
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3.1 description; public, like any API's documentation."""
    if request.method not in ("GET", "HEAD"):
        response = ApiError(405, "Use GET on this address.").response()
        response["Allow"] = "GET"
        return response
    return JsonResponse(openapi_document())


@api_view("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, user: AbstractBaseUser, rest: str) -> HttpResponse:
    raise ApiError(404, f"No API endpoint at /api/{rest}.")
