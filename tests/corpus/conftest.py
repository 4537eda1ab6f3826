"""Corpus pages need a signed-in person with a role: the client is a Viewer."""

from __future__ import annotations

import pytest
from django.test import Client

from annotations.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def client(client: Client, db: None) -> Client:
    """pytest-django's client, signed in as a Viewer (the least role that reads)."""
    client.force_login(UserFactory(role=Role.VIEWER))
    return client
