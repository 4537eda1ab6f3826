"""Middleware: a signed-in account without a role reaches no page.

``LoginRequiredMiddleware`` (Django) sends anonymous visitors to the sign-in
page; this one, placed after it, refuses signed-in accounts that have no role
yet (403 page), except sign-out and the admin (which checks staff itself).
API views are marked ``login_not_required`` and check roles in ``api.py``,
where a refusal is JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from annotations.roles import can_read

OPEN_URL_NAMES = frozenset({"logout", "login"})


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
        if not request.user.is_authenticated or can_read(request.user):
            return
        match = request.resolver_match
        if match and (match.app_name == "admin" or match.url_name in OPEN_URL_NAMES):
            return
        raise PermissionDenied(
            "Your account has no role yet. Ask an administrator to give you one."
        )
