"""Fixtures for the accounts pages: people in every role of the first
project, a site admin, a second project with its own admin and member, and
signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts.models import Project
from accounts.roles import Role
from tests.factories import ProjectFactory, UserFactory, first_project


@dataclass
class People:
    viewer: Any
    annotator: Any
    curator: Any
    admin: Any
    nobody: Any  # signed in, no role anywhere
    site_admin: Any  # a superuser, no membership
    project: Project  # the first project, where the roles above are
    other_project: Project
    other_admin: Any  # admin of other_project only
    other_member: Any  # annotator of other_project only

    def by_role(self) -> dict[str, Any]:
        return {
            "viewer": self.viewer,
            "annotator": self.annotator,
            "curator": self.curator,
            "admin": self.admin,
            "nobody": self.nobody,
            "site_admin": self.site_admin,
        }


@pytest.fixture
def people(db: None) -> People:
    other = ProjectFactory(name="Other study")
    return People(
        viewer=UserFactory(username="vera", role=Role.VIEWER),
        annotator=UserFactory(username="ana", role=Role.ANNOTATOR),
        curator=UserFactory(username="cleo", role=Role.CURATOR),
        admin=UserFactory(username="adam", email="adam@example.org", role=Role.ADMIN),
        nobody=UserFactory(username="nora", email="nora@example.org"),
        site_admin=UserFactory(username="root", is_superuser=True, is_staff=True),
        project=first_project(),
        other_project=other,
        other_admin=UserFactory(username="otto", role=Role.ADMIN, role__project=other),
        other_member=UserFactory(
            username="olga", role=Role.ANNOTATOR, role__project=other
        ),
    )


@pytest.fixture
def signed_in(db: None) -> Callable[..., Client]:
    """``signed_in(user)`` -> a page client (None: a stranger)."""

    def make(user: Any | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
