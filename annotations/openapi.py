"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.

Hand-written (the API is small) and validated in the tests with
openapi-spec-validator. Keep it in step with ``api.py``.
"""

from __future__ import annotations

from typing import Any

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


ERROR_TEXTS = {
    400: "Invalid input; the message says what to fix.",
    401: "Not signed in and no valid bearer token.",
    403: "Signed in, but this role may not do this (or the CSRF check failed).",
    404: "No such annotation.",
    405: "Method not allowed here.",
    413: "The body is too large.",
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema} | {
        "description": description
    }


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "What went wrong."},
            "errors": {
                "type": "object",
                "description": "Validation messages by field.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "Theme": {
        "type": "object",
        "required": ["slug", "name", "colour", "guid", "retired"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "inclusion": {"type": "string"},
            "exclusion": {"type": "string"},
            "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            "guid": {"type": "string", "format": "uuid"},
            "retired": {"type": "boolean"},
            "parent": {
                "type": ["string", "null"],
                "description": "The parent theme's slug (null: top level).",
            },
        },
    },
    "Author": {
        "type": "object",
        "properties": {"username": {"type": "string"}, "name": {"type": "string"}},
    },
    "Annotation": {
        "type": "object",
        "description": (
            "A span of one paragraph. start and end are Unicode code-point "
            "offsets into the paragraph text, end exclusive."
        ),
        "required": ["id", "document", "start", "end", "quote", "themes", "author"],
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "document": {"type": "string", "description": "The document's slug."},
            "paragraph": {"type": ["integer", "null"]},
            "position": {"type": ["integer", "null"]},
            "link": {"type": ["string", "null"]},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 1},
            "quote": {"type": "string"},
            "prefix": {"type": "string"},
            "suffix": {"type": "string"},
            "themes": {"type": "array", "items": {"type": "string"}},
            "note": {"type": "string"},
            "author": _ref("Author"),
            "created": {"type": "string", "format": "date-time"},
            "updated": {"type": "string", "format": "date-time"},
            "orphaned": {
                "type": "boolean",
                "description": "Re-ingestion could not place it; no paragraph.",
            },
            "can_change": {
                "type": "boolean",
                "description": "Whether the caller may edit or delete it.",
            },
        },
    },
    "AnnotationCreate": {
        "type": "object",
        "required": ["paragraph", "start", "end", "themes"],
        "additionalProperties": False,
        "properties": {
            "paragraph": {"type": "integer"},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 1},
            "themes": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "note": {"type": "string", "maxLength": 5000},
            "quote": {
                "type": "string",
                "description": "If given, must equal the text at start..end.",
            },
        },
    },
    "AnnotationPatch": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 1},
            "themes": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "note": {"type": "string", "maxLength": 5000},
            "quote": {"type": "string"},
        },
    },
    "BulkRequest": {
        "type": "object",
        "required": ["theme", "items"],
        "additionalProperties": False,
        "properties": {
            "theme": {"type": "string"},
            "note": {"type": "string"},
            "items": {
                "type": "array",
                "maxItems": 500,
                "items": {
                    "type": "object",
                    "required": ["paragraph"],
                    "additionalProperties": False,
                    "description": "Without start and end: the whole paragraph.",
                    "properties": {
                        "paragraph": {"type": "integer"},
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                    },
                },
            },
        },
    },
}


def _responses() -> dict[str, Any]:
    return {f"E{s}": _json(_ref("Error"), text) for s, text in ERROR_TEXTS.items()}


def _err(*statuses: int) -> dict[str, Any]:
    return {str(s): {"$ref": f"#/components/responses/E{s}"} for s in statuses}


def _paths() -> dict[str, Any]:
    return {
        "/api/themes": {"get": _list_themes()},
        "/api/annotations": {"get": _list_annotations(), "post": _create()},
        "/api/annotations/{id}": {
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "get": _operation(
                "getAnnotation", "One annotation.", "The annotation.", [401, 403, 404]
            ),
            "patch": _operation(
                "updateAnnotation",
                "Change themes, note or span (author or curator).",
                "The stored annotation.",
                [400, 401, 403, 404, 413],
                body="AnnotationPatch",
            ),
            "delete": {
                "operationId": "deleteAnnotation",
                "summary": "Delete (author or curator).",
                "responses": {
                    "204": {"description": "Deleted."},
                    **_err(401, 403, 404),
                },
            },
        },
        "/api/annotations/bulk": {"post": _bulk()},
    }


def _operation(
    operation_id: str,
    summary: str,
    result: str,
    errors: list[int],
    body: str | None = None,
    status: str = "200",
) -> dict[str, Any]:
    """An operation answering one Annotation (and the listed errors)."""
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary}
    if body:
        content = {JSON: {"schema": _ref(body)}}
        operation["requestBody"] = {"required": True, "content": content}
    responses = {status: _json(_ref("Annotation"), result), **_err(*errors)}
    return operation | {"responses": responses}


def _list_themes() -> dict[str, Any]:
    themes = {"type": "array", "items": _ref("Theme")}
    listing = {"type": "object", "properties": {"results": themes}}
    return {
        "operationId": "listThemes",
        "summary": "The codebook, retired themes last.",
        "responses": {"200": _json(listing, "Every theme."), **_err(401, 403)},
    }


def _list_annotations() -> dict[str, Any]:
    listing = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "next_offset": {"type": ["integer", "null"]},
            "results": {"type": "array", "items": _ref("Annotation")},
        },
    }
    return {
        "operationId": "listAnnotations",
        "summary": "Annotations in reading order, filtered.",
        "parameters": [
            _query("document", "A document's slug.", {"type": "string"}),
            _query("paragraph", "A paragraph id.", {"type": "integer"}),
            _query("theme", "A theme slug.", {"type": "string"}),
            _query("user", "A user name, or `me`.", {"type": "string"}),
            _query("limit", "At most 1000.", {"type": "integer"}),
            _query("offset", "Skip this many.", {"type": "integer"}),
        ],
        "responses": {
            "200": _json(listing, "A page of annotations."),
            **_err(400, 401, 403),
        },
    }


def _create() -> dict[str, Any]:
    return _operation(
        "createAnnotation",
        "Tag a span of a paragraph (annotators and up).",
        "The stored annotation.",
        [400, 401, 403, 413],
        body="AnnotationCreate",
        status="201",
    )


def _bulk() -> dict[str, Any]:
    content = {JSON: {"schema": _ref("BulkRequest")}}
    return {
        "operationId": "bulkTag",
        "summary": "Tag many passages with one theme; repeats are skipped.",
        "requestBody": {"required": True, "content": content},
        "responses": {
            "201": _json(_bulk_result(), "Some passages were tagged."),
            "200": _json(_bulk_result(), "Nothing new: all were tagged."),
            **_err(400, 401, 403, 413),
        },
    }


def _bulk_result() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "created": {"type": "array", "items": _ref("Annotation")},
            "skipped": {"type": "integer"},
        },
    }


def openapi_document() -> dict[str, Any]:
    """The whole description, as a JSON-ready dict."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Gloss annotations API",
            "version": "1.0.0",
            "description": (
                "Themes and annotations of the Gloss corpus. Authenticate with "
                "the session cookie (writes need the X-CSRFToken header) or "
                "`Authorization: Bearer <token>` (`manage.py apitoken USER`). "
                "Errors are JSON objects with an `error` message."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "responses": _responses(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
        },
    }
