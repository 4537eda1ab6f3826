"""Middleware: the current project, and no page without a role in it.

``CurrentProjectMiddleware`` sets ``request.project`` (``accounts.projects``)
for signed-in people. ``RoleRequiredMiddleware``, placed after Django's
``LoginRequiredMiddleware``, refuses signed-in accounts that have no role in
any project (403 page), except sign-out, their own settings and the admin
(which checks staff itself). API views are marked ``login_not_required`` and
set the project and check roles in their authentication, where a refusal is
JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.projects import SESSION_KEY, current_project, projects_of
from accounts.roles import can_read

OPEN_URL_NAMES = frozenset({"logout", "login"})
OPEN_NAMESPACES = frozenset({"admin", "accounts"})


class CurrentProjectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        projects = projects_of(request.user)
        chosen = request.session.get(SESSION_KEY) if projects else None
        request.projects = projects  # type: ignore[attr-defined]
        request.project = current_project(projects, chosen)  # type: ignore[attr-defined]
        return self.get_response(request)


class RoleRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        if not getattr(view_func, "login_required", True):
            return  # public (sign-in page) or checks for itself (the API)
        user = request.user
        if not user.is_authenticated or can_read(
            user, getattr(request, "project", None)
        ):
            return
        match = request.resolver_match
        if match and (
            match.app_name in OPEN_NAMESPACES or match.url_name in OPEN_URL_NAMES
        ):
            return
        raise PermissionDenied(
            "Your account belongs to no project yet. Ask a project's administrator "
            "to add you."
        )
