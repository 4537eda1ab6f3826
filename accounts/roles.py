"""Roles and what each may do in a project: the one place permissions are decided.

Four roles, each including the one before it, held per project
(``accounts.models.Membership``):

- **Viewer**: read the project's pages, search, export.
- **Annotator**: also create annotations, and edit or delete their own.
- **Curator**: also manage the codebook, edit or delete anyone's annotations,
  upload documents and curate them (metadata, deletion) and their records.
- **Admin**: also the project's members and their roles.

Site administrators (superusers) are Admins of every project and also create
projects and use the Django admin. A signed-in account that belongs to no
project may sign out and change its own settings, nothing else.

Pages and the API ask the ``can_*`` predicates below with the person and the
project (``request.project``, set by ``accounts.middleware``), never the
memberships directly, so a change of policy is a change here.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import Project

AnyUser = User | AnonymousUser
View = TypeVar("View", bound=Callable[..., Any])


class Authored(Protocol):
    """Anything a person wrote in a project (an annotation, a memo)."""

    @property
    def author_id(self) -> int | None: ...


class Role(IntEnum):
    """Ordered so that ``role >= Role.CURATOR`` reads as "at least a curator"."""

    VIEWER = 1
    ANNOTATOR = 2
    CURATOR = 3
    ADMIN = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def parse(cls, word: str) -> Role:
        """``"curator"`` or ``"Curator"`` -> ``Role.CURATOR``; ValueError otherwise.

        >>> Role.parse("Annotator")
        <Role.ANNOTATOR: 2>
        """
        try:
            return cls[word.strip().upper()]
        except KeyError:
            names = ", ".join(role.name.lower() for role in cls)
            raise ValueError(f"unknown role {word!r} (one of: {names})") from None


CACHE_ATTR = "_gloss_roles"


def role_of(user: AnyUser | None, project: Project | None) -> Role | None:
    """The user's role in ``project``, or None (anonymous, inactive, not a member).

    Cached on the user object per project: a request asks several times.
    """
    if user is None or project is None:
        return None
    if not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    cache: dict[int, Role | None] = user.__dict__.setdefault(CACHE_ATTR, {})
    if project.pk not in cache:
        found = project.memberships.filter(user=user).values_list("role", flat=True)
        cache[project.pk] = Role(found[0]) if found else None
    return cache[project.pk]


def forget_roles(user: AnyUser) -> None:
    """Drop the cached roles (after a membership changed)."""
    user.__dict__.pop(CACHE_ATTR, None)


def has_role(user: AnyUser | None, project: Project | None, role: Role) -> bool:
    found = role_of(user, project)
    return found is not None and found >= role


def can_read(user: AnyUser | None, project: Project | None) -> bool:
    return has_role(user, project, Role.VIEWER)


def can_annotate(user: AnyUser | None, project: Project | None) -> bool:
    return has_role(user, project, Role.ANNOTATOR)


def can_moderate(user: AnyUser | None, project: Project | None) -> bool:
    """Edit or delete anyone's annotations."""
    return has_role(user, project, Role.CURATOR)


def can_manage_codebook(user: AnyUser | None, project: Project | None) -> bool:
    return has_role(user, project, Role.CURATOR)


def can_curate(user: AnyUser | None, project: Project | None) -> bool:
    """Edit document metadata, delete documents, correct records."""
    return has_role(user, project, Role.CURATOR)


def can_upload_documents(user: AnyUser | None, project: Project | None) -> bool:
    """Upload source files (the upload page) and retry their ingest jobs."""
    return has_role(user, project, Role.CURATOR)


def can_administer(user: AnyUser | None, project: Project | None) -> bool:
    """Manage the project's members and their roles."""
    return has_role(user, project, Role.ADMIN)


def can_create_projects(user: AnyUser | None) -> bool:
    """Site administrators only."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_superuser", False)
    )


def can_change_annotation(
    user: AnyUser | None, project: Project | None, annotation: Authored
) -> bool:
    """Edit or delete: annotators their own, curators and admins anyone's."""
    if can_moderate(user, project):
        return True
    return can_annotate(user, project) and annotation.author_id == getattr(
        user, "pk", None
    )


def role_required(role: Role) -> Callable[[View], View]:
    """Page decorator: 403 unless the signed-in user has at least ``role`` in
    the current project.

    Sign-in itself is enforced by ``LoginRequiredMiddleware``; this adds the role.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not has_role(request.user, getattr(request, "project", None), role):
                raise PermissionDenied(f"This page needs the {role.label} role.")
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
