"""The JSON API under /api/: one NinjaAPI assembled from each app's router.

It lives in ``config`` because it is the one place allowed to import every
app (DESIGN.md, layering). Here are the parts every endpoint shares:

- authentication (``Authorization: Bearer <token>``, else the session with
  Django's CSRF check on writes), the request's project and the role check
  in it, from ``accounts.api_auth``;
- the body parser: size limits (413), nesting depth, JSON syntax (400);
- the error shape ``{"error": message, "errors": {field: [messages]}}`` for
  every refusal: a request the description itself rules out (schema
  violations, JSON syntax) is a 400, worded for a person; a well-formed one
  whose content cannot be used (an unknown id, a span past the paragraph's
  end, a taken name) is a 422, so a client, or the fuzzer, can tell a request
  that breaks the description from one the data refuse;
- JSON 405s with ``Allow``, and the public description at /api/openapi.json,
  generated from the same schemas that validate the requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.urls import URLPattern, URLResolver
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from accounts.api_auth import NOT_SIGNED_IN, SessionAuth, TokenAuth, authenticate
from accounts.api_fields import ApiError
from annotations.api import BULK_BODY_LIMIT, WRITE_BODY_LIMIT, annotations_bulk
from annotations.api import router as annotations_router
from config.api_errors import schema_error
from search.api import router as search_router

MAX_JSON_NESTING = 16
# By URL name (a handler's name); any other body has the write limit.
BODY_LIMITS = {annotations_bulk.__name__: BULK_BODY_LIMIT}
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")
View = Callable[..., HttpResponseBase]


def error_response(error: ApiError) -> JsonResponse:
    """The JSON answer to a refusal (with the challenge on a 401)."""
    response = JsonResponse(
        error.body(), status=error.status, json_dumps_params={"ensure_ascii": False}
    )
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="gloss"'
    for name, value in error.headers.items():
        response[name] = value
    return response


# --- the body parser ------------------------------------------------------


class LimitedJsonParser(Parser):
    """JSON bodies within a size and a nesting limit, and only objects."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        match = request.resolver_match
        name = match.url_name if match else None
        limit = BODY_LIMITS.get(name or "", WRITE_BODY_LIMIT)
        raw = request.body
        if len(raw) > limit:
            raise ApiError(413, f"The body is too large (at most {limit} bytes).")
        if nesting(raw) > MAX_JSON_NESTING:
            raise ApiError(
                400, f"The body nests too deeply (at most {MAX_JSON_NESTING} levels)."
            )
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(400, f"The body is not valid JSON ({error}).") from None
        if not isinstance(data, dict):
            raise ApiError(400, "The body must be a JSON object.")
        return data


_BRACKETS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nesting(raw: bytes) -> int:
    """The deepest bracket nesting of a JSON text, strings skipped; the parser
    recurses once per level, so a 1 KB body of brackets would crash it.

    >>> nesting(b'{"a": [1, {"b": "[[["}]}'), nesting(b"[" * 50)
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


class Utf8JsonRenderer(JSONRenderer):
    """Text as is (``souveraineté``, not ``\\u00e9``): JSON is UTF-8 anyway."""

    json_dumps_params = {"ensure_ascii": False}


class GlossApi(NinjaAPI):
    """Operations are named after their handlers: the URL name is the
    function's name (``api:annotation_list``), the operationId its camelCase."""

    def get_content_type(self) -> str:
        # RFC 8259: JSON is UTF-8 and has no charset parameter.
        return "application/json"

    def get_openapi_operation_id(self, operation: Operation) -> str:
        first, *rest = operation.view_func.__name__.split("_")
        return first + "".join(word.title() for word in rest)


api = GlossApi(
    title="Gloss API",
    version="2.0.0",
    description=(
        "Themes, annotations and search of the Gloss corpus. Authenticate with "
        "`Authorization: Bearer <token>` (`manage.py apitoken USER`; tokens "
        "expire) or the session cookie (writes need the `X-CSRFToken` header). "
        'Every refusal is a JSON object `{"error": message, "errors": '
        "{field: [messages]}}`."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    parser=LimitedJsonParser(),
    renderer=Utf8JsonRenderer(),
    docs_url=None,  # Swagger UI would load its scripts from a CDN
)
api.add_router("/", annotations_router)
api.add_router("/", search_router)


# --- refusals -------------------------------------------------------------


def _handles(*kinds: type[Exception]) -> Callable[[Callable[..., Any]], Any]:
    def register(handler: Callable[[Any], ApiError]) -> Callable[..., Any]:
        for kind in kinds:
            api.add_exception_handler(
                kind, lambda request, exc: error_response(handler(exc))
            )
        return handler

    return register


@_handles(ApiError)
def _refusal(exc: ApiError) -> ApiError:
    return exc


@_handles(SchemaError)
def _schema_violation(exc: SchemaError) -> ApiError:
    return schema_error(exc.errors)


@_handles(HttpError)
def _ninja_refusal(exc: HttpError) -> ApiError:
    # The body parser's own refusals reach here wrapped by ninja.
    cause = exc.__cause__
    if isinstance(cause, ApiError):
        return cause
    if isinstance(exc, AuthenticationError):  # no credentials at all
        return ApiError(401, NOT_SIGNED_IN)
    return ApiError(exc.status_code, str(exc))


@_handles(RequestDataTooBig)
def _too_big(exc: RequestDataTooBig) -> ApiError:
    return ApiError(413, "The body is too large.")


@_handles(ValidationError)
def _invalid(exc: ValidationError) -> ApiError:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    message = " ".join(m for messages in errors.values() for m in messages)
    return ApiError(422, message, errors)


@_handles(PermissionDenied)
def _forbidden(exc: PermissionDenied) -> ApiError:
    return ApiError(403, str(exc) or "Not allowed.")


@_handles(ObjectDoesNotExist, Http404)
def _gone(exc: Exception) -> ApiError:
    return ApiError(404, "It no longer exists; reload.")  # deleted meanwhile


# --- URLs -----------------------------------------------------------------


def _json_method_refusal(view: View) -> View:
    """The API's views answer for themselves (401, not a sign-in redirect),
    and a wrong method gets the JSON 405 every other refusal has."""

    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = _ordered(response["Allow"].split(", "))
            refusal = error_response(ApiError(405, f"Use {allowed} on this address."))
            refusal["Allow"] = allowed
            return refusal
        return response

    return wrapped


def _ordered(methods: Iterable[str]) -> str:
    known = set(methods)
    return ", ".join(m for m in METHOD_ORDER if m in known)


def _openapi_view(view: View) -> View:
    """The description is public and read-only, like any API's documentation."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        return view(request, *args, **kwargs)

    return wrapped


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """``api.urls`` with every view wrapped (see ``_json_method_refusal``)."""
    patterns, app_name, namespace = api.urls
    return [_wrapped(p) for p in patterns], app_name, namespace


def _wrapped(pattern: URLPattern | URLResolver) -> URLPattern | URLResolver:
    if not isinstance(pattern, URLPattern):
        return pattern
    view = pattern.callback
    if pattern.name == "openapi-json":
        view = _openapi_view(view)
    elif pattern.name == "api-root":  # ninja's own root page is an HTML 404
        view = _root
    return URLPattern(
        pattern.pattern, _json_method_refusal(view), pattern.default_args, pattern.name
    )


@login_not_required
@csrf_exempt  # changes nothing; a CSRF refusal here would be an HTML page
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other /api/ address: a JSON 404 (after the same sign-in check)."""
    try:
        authenticate(request, api.auth if isinstance(api.auth, Sequence) else [])
    except ApiError as error:
        return error_response(error)
    return error_response(ApiError(404, f"No API endpoint at /api/{rest}."))


def _root(request: HttpRequest) -> HttpResponse:
    return not_found(request, "")
