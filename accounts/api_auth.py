"""How every JSON API endpoint knows who calls and in which project.

``Authorization: Bearer <token>`` (``TokenAuth``; a token works in the
project it was made in and is refused once expired) or, without that header,
the session (``SessionAuth``; the project chosen in the pages), whose writes
pass Django's own CSRF check. Either sets ``request.project`` and refuses a
caller with no role in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts import roles
from accounts.api_fields import ApiError
from accounts.models import ApiToken, Project

LAST_USED_GRANULARITY = 60  # seconds: a token check writes at most once a minute
NOT_SIGNED_IN = "Sign in, or send Authorization: Bearer <token>."


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. A malformed header is a 401 of its
    own (not a fall-back to the session): a script should hear what is wrong."""

    def __call__(self, request: HttpRequest) -> User | None:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Use the header Authorization: Bearer <token>.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = _token(token)
        return _with_role(request, found.user, found.project)


def _token(token: str) -> ApiToken:
    found = ApiToken.objects.matching(token).select_related("user", "project").first()
    if found is None or not found.user.is_active:
        raise ApiError(401, "This token is unknown or revoked.")
    now = timezone.now()
    if found.expires <= now:
        raise ApiError(
            401,
            f"This token expired on {found.expires:%Y-%m-%d}; make a new one on "
            f"your settings page, {reverse('accounts:settings')}",
        )
    if found.last_used is None or (
        (now - found.last_used).total_seconds() > LAST_USED_GRANULARITY
    ):
        ApiToken.objects.filter(pk=found.pk).update(last_used=now)  # cheap, rare
    return found


class SessionAuth(APIKeyCookie):
    """The signed-in session. Writes must pass Django's CSRF check, run after
    the sign-in check so that a stranger hears 401, not 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, for signed-in writes only

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise ApiError(
                403,
                "CSRF check failed; reload the page (a session write needs the "
                "X-CSRFToken header).",
            )
        return _with_role(request, user, getattr(request, "project", None))


def _with_role(
    request: HttpRequest, user: User | AnonymousUser, project: Project | None
) -> User:
    if not roles.can_read(user, project):
        raise ApiError(
            403, "Your account belongs to no project yet; ask a project's admin."
        )
    request.project = project  # type: ignore[attr-defined]
    return user  # type: ignore[return-value]


def authenticate(
    request: HttpRequest, callbacks: Iterable[Callable[[HttpRequest], Any]]
) -> User:
    """The caller, as the API's authentication would find them (for views
    outside the API's routers); 401 when there is none."""
    for callback in callbacks:
        user = callback(request)
        if user is not None:
            return user
    raise ApiError(401, NOT_SIGNED_IN)
