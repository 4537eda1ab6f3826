"""The current project of a request: which project a person is working in.

Chosen by the person (``accounts.views.project_switch`` keeps it in the
session); otherwise their first project. A project they cannot open is never
current, whatever the session says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F

from accounts.models import Project
from accounts.roles import CACHE_ATTR, Role

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.roles import AnyUser

SESSION_KEY = "gloss_project"


def projects_of(user: AnyUser) -> list[Project]:
    """The projects ``user`` may open, oldest first, in one query; their role
    in each is remembered on ``user`` (``accounts.roles.role_of`` asks no more).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if getattr(user, "is_superuser", False):
        return list(Project.objects.order_by("pk"))
    rows = Project.objects.filter(memberships__user=user).order_by("pk")
    projects: list[Project] = []
    cache = user.__dict__.setdefault(CACHE_ATTR, {})
    for project in rows.annotate(member_role=F("memberships__role")):
        cache[project.pk] = Role(project.member_role)
        projects.append(project)
    return projects


def current_project(projects: list[Project], chosen: object) -> Project | None:
    """``chosen`` (a project id from the session) when it is one of
    ``projects``, else the first of them, else None."""
    for project in projects:
        if project.pk == chosen:
            return project
    return projects[0] if projects else None


def request_project(request: HttpRequest) -> Project | None:
    """The request's project (set by the middleware, or by API authentication)."""
    return getattr(request, "project", None)


def remember(request: HttpRequest, project: Project) -> None:
    request.session[SESSION_KEY] = project.pk
    request.project = project  # type: ignore[attr-defined]
