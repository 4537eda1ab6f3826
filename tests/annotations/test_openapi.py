"""The OpenAPI description: valid OpenAPI 3.1, served publicly, and in step
with the URLconf."""

from __future__ import annotations

import pytest
from django.urls import get_resolver
from openapi_spec_validator import validate

from annotations.openapi import openapi_document

pytestmark = pytest.mark.django_db


def test_document_is_valid_openapi():
    validate(openapi_document())  # raises on any violation


def test_served_without_sign_in(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json() == openapi_document()
    assert response.json()["openapi"].startswith("3.1")


def test_every_api_route_is_described():
    resolver = get_resolver().url_patterns
    api = next(p for p in resolver if str(p.pattern) == "api/")
    routes = {
        "/api/" + str(p.pattern).replace("<int:pk>", "{id}") for p in api.url_patterns
    }
    routes.discard("/api/openapi.json")
    assert routes == set(openapi_document()["paths"])


def test_every_operation_documents_its_errors():
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert "401" in codes and "403" in codes, (path, method)
