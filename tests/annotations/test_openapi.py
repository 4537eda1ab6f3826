"""The OpenAPI description: generated, served publicly, valid OpenAPI 3.1, and
in step with the URLconf both ways (every /api/ route and method described,
every described operation routed)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
# Routed under /api/ but not operations: the description itself, and the root
# and the catch-all, which answer a JSON 404.
NOT_OPERATIONS = {"/api/", "/api/openapi.json", "/api/{rest}"}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def served() -> dict:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_served_without_sign_in_as_openapi_3_1():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["openapi"].startswith("3.1")


def test_served_description_is_valid_openapi():
    validate(served())  # raises on any violation


def routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "/"
) -> Iterator[str]:
    """Every route of the whole URLconf, as a path template (``{pk}``)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        here = prefix + CONVERTER.sub(r"{\2}", str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, here)
        else:
            yield here


def methods_answered(client: Client, template: str) -> set[str]:
    """The methods a route serves: those it does not refuse with 405
    (asked of the running app, not of the API's own bookkeeping)."""
    url = re.sub(r"\{\w+\}", "1", template)
    return {
        method
        for method in METHODS
        if getattr(client, method)(url, content_type="application/json").status_code
        != 405
    }


def test_every_api_route_is_described_and_every_description_is_routed(
    signed_in, people
):
    client = signed_in(people.curator)
    api_routes = {r for r in routes() if r.startswith("/api/")}
    assert NOT_OPERATIONS <= api_routes  # else this test no longer sees them
    routed = {
        (route, method)
        for route in api_routes - NOT_OPERATIONS
        for method in methods_answered(client, route)
    }
    described = {
        (path, method)
        for path, item in served()["paths"].items()
        for method in item
        if method in METHODS
    }
    assert routed == described
    assert ("/api/search", "get") in described  # once missing from the description


def test_every_operation_documents_its_errors_and_uses_the_error_shape():
    document = served()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    conflict = {"$ref": "#/components/schemas/ConflictOut"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"401", "403"} <= set(responses), (path, method)
            for status, answer in responses.items():
                if status == "409":  # the error shape, plus both versions
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == conflict, (path, method, status)
                elif status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == error, (path, method, status)
    shape = document["components"]["schemas"]["ErrorOut"]
    assert shape["required"] == ["error"]
    assert set(shape["properties"]) == {"error", "errors"}
    shape = document["components"]["schemas"]["ConflictOut"]
    assert set(shape["properties"]) == {"error", "errors", "yours", "current"}


def test_search_documents_its_notice():
    search = served()["paths"]["/api/search"]["get"]
    body = search["responses"]["200"]["content"]["application/json"]["schema"]
    out = served()["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert "notice" in out["required"]


def test_request_schemas_forbid_unknown_fields():
    schemas = served()["components"]["schemas"]
    for name in ("AnnotationIn", "AnnotationPatch", "BulkIn", "SpanIn"):
        assert schemas[name]["additionalProperties"] is False, name
