"""Fixtures for the annotations tests: people in every role, a small document,
the seed themes, signed-in clients (pages and JSON), and a recorder for the
search hook."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from accounts.roles import Role
from annotations import search_sync
from annotations.models import Theme
from corpus.models import Document, Paragraph
from tests.factories import DocumentFactory, ParagraphFactory, ThemeFactory, UserFactory

TEXTS = [
    "Sovereignty and distrust shape North American security cooperation.",
    "Mexico limits armed U.S. agents on its soil; Canada guards its data.",
    "Bilateral accords — Mérida, Beyond the Border — replaced the SPP. 😀 ok",
]


@dataclass
class People:
    viewer: Any
    annotator: Any
    other: Any  # a second annotator
    curator: Any
    admin: Any
    nobody: Any  # signed in, no role

    def by_role(self) -> dict[str, Any]:
        return {
            "viewer": self.viewer,
            "annotator": self.annotator,
            "curator": self.curator,
            "admin": self.admin,
        }


@pytest.fixture
def people(db: None) -> People:
    return People(
        viewer=UserFactory(username="vera", role=Role.VIEWER),
        annotator=UserFactory(username="ana", first_name="Ana", role=Role.ANNOTATOR),
        other=UserFactory(username="ben", first_name="Ben", role=Role.ANNOTATOR),
        curator=UserFactory(username="cleo", first_name="Cleo", role=Role.CURATOR),
        admin=UserFactory(username="adam", role=Role.ADMIN),
        nobody=UserFactory(username="nora"),
    )


@pytest.fixture
def document(db: None) -> Document:
    document = DocumentFactory(slug="doc", title="Security cooperation")
    for position, text in enumerate(TEXTS):
        ParagraphFactory(document=document, position=position, text=text)
    return document


@pytest.fixture
def paragraphs(document: Document) -> list[Paragraph]:
    return list(document.paragraphs.order_by("position"))


@pytest.fixture
def themes(db: None) -> dict[str, Theme]:
    """The seed themes (created again after a transactional test's flush)."""
    names = {"sovereignty": "#d97706", "distrust": "#dc2626", "bilateralism": "#2563eb"}
    return {
        slug: ThemeFactory(slug=slug, name=slug.capitalize(), colour=colour)
        for slug, colour in names.items()
    }


class JsonClient:
    """A test client speaking JSON to the API as one person (or nobody)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, url: str, **params: Any):
        return self.client.get(url, params)

    def post(self, url: str, body: Any = None, **extra: Any):
        return self._send("post", url, body, **extra)

    def patch(self, url: str, body: Any = None, **extra: Any):
        return self._send("patch", url, body, **extra)

    def delete(self, url: str, **extra: Any):
        return self.client.delete(url, **extra)

    def _send(self, method: str, url: str, body: Any, **extra: Any):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        send = getattr(self.client, method)
        return send(url, data, content_type="application/json", **extra)


@pytest.fixture
def signed_in(db: None) -> Callable[..., Client]:
    """``signed_in(user)`` -> a page client; ``signed_in(user, csrf=True)``
    enforces CSRF checks like a browser would."""

    def make(user: Any | None, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_as(signed_in: Callable[..., Client]) -> Callable[..., JsonClient]:
    def make(user: Any | None) -> JsonClient:
        return JsonClient(signed_in(user))

    return make


@dataclass
class HookCalls:
    calls: list[list[int]] = field(default_factory=list)
    in_transaction: list[bool] = field(default_factory=list)
    actors: list[int | None] = field(default_factory=list)  # whose change

    def clear(self) -> None:
        self.calls.clear()
        self.in_transaction.clear()
        self.actors.clear()

    @property
    def ids(self) -> set[int]:
        return {pk for call in self.calls for pk in call}


@pytest.fixture
def hook(db: None, monkeypatch: pytest.MonkeyPatch) -> HookCalls:
    """Record every search_sync.paragraphs_changed call, and whether it ran
    inside a transaction (the service's atomic block, not the test's)."""
    record = HookCalls()
    baseline = len(connection.atomic_blocks)  # the test's own transaction

    def spy(paragraph_ids: Any, actor_id: int | None = None) -> None:
        record.calls.append(sorted(paragraph_ids))
        record.actors.append(actor_id)
        record.in_transaction.append(len(connection.atomic_blocks) > baseline)

    monkeypatch.setattr(search_sync, "paragraphs_changed", spy)
    return record
