"""Roles and what each may do: the one place permissions are decided.

Four roles, each including the one before it:

- **Viewer**: read every page, search, export.
- **Annotator**: also create annotations, and edit or delete their own.
- **Curator**: also manage the codebook, edit or delete anyone's annotations,
  upload documents and curate them (metadata, deletion) and their records.
- **Admin**: also users and ingestion (the Django admin).

A role is a Django group of the same name; superusers are Admins whatever
their groups. A signed-in account with no role may sign out and nothing else:
an admin gives it a role in the Django admin (or ``manage.py adduser``).

Pages and the API ask the ``can_*`` predicates below, never ``user.groups``
directly, so a change of policy is a change here.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from annotations.models import Annotation

AnyUser = User | AnonymousUser
View = TypeVar("View", bound=Callable[..., Any])


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


GROUP_NAMES = {role.label: role for role in Role}
CACHE_ATTR = "_gloss_role"


def role_of(user: AnyUser | None) -> Role | None:
    """The user's highest role, or None (anonymous, inactive, or no role).

    Cached on the user object: a request asks several times.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    if not hasattr(user, CACHE_ATTR):
        names = user.groups.filter(name__in=GROUP_NAMES).values_list("name", flat=True)
        roles = [GROUP_NAMES[name] for name in names]
        setattr(user, CACHE_ATTR, max(roles) if roles else None)
    return getattr(user, CACHE_ATTR)


def has_role(user: AnyUser | None, role: Role) -> bool:
    found = role_of(user)
    return found is not None and found >= role


def can_read(user: AnyUser | None) -> bool:
    return has_role(user, Role.VIEWER)


def can_annotate(user: AnyUser | None) -> bool:
    return has_role(user, Role.ANNOTATOR)


def can_moderate(user: AnyUser | None) -> bool:
    """Edit or delete anyone's annotations."""
    return has_role(user, Role.CURATOR)


def can_manage_codebook(user: AnyUser | None) -> bool:
    return has_role(user, Role.CURATOR)


def can_curate(user: AnyUser | None) -> bool:
    """Edit document metadata, delete documents, correct records."""
    return has_role(user, Role.CURATOR)


def can_upload_documents(user: AnyUser | None) -> bool:
    """Upload source files (the upload page) and retry their ingest jobs."""
    return has_role(user, Role.CURATOR)


def can_administer(user: AnyUser | None) -> bool:
    return has_role(user, Role.ADMIN)


def can_change_annotation(user: AnyUser | None, annotation: Annotation) -> bool:
    """Edit or delete: annotators their own, curators and admins anyone's."""
    if can_moderate(user):
        return True
    return can_annotate(user) and annotation.author_id == getattr(user, "pk", None)


def group_for(role: Role) -> Group:
    """The role's group, created on first use (also seeded by a migration)."""
    group, _ = Group.objects.get_or_create(name=role.label)
    return group


def role_required(role: Role) -> Callable[[View], View]:
    """Page decorator: 403 unless the signed-in user has at least ``role``.

    Sign-in itself is enforced by ``LoginRequiredMiddleware``; this adds the role.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not has_role(request.user, role):
                raise PermissionDenied(f"This page needs the {role.label} role.")
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
