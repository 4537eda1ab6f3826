"""Every write of the accounts app: projects, memberships, accounts and API
tokens.

Each public service is keyword-only, runs inside ``transaction.atomic`` and
raises ``ValidationError`` with a ``{field: [message]}`` dict whose messages
can be shown to people as they are. Permission checks for pages are in the
views (``accounts.roles``); the services check what only they can see (the
last admin of a project cannot leave it).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import ApiToken, Membership, Project
from accounts.roles import Role, forget_roles

TOKEN_PREFIX = "gloss_"


# --- projects ---------------------------------------------------------------


@transaction.atomic
def project_create(*, name: str, description: str = "") -> Project:
    """A new, empty project named ``name`` (unique, case-insensitively)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": ["Give the project a name."]})
    if Project.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [f"A project “{name}” already exists."]})
    base = slugify(name)[:90] or "project"
    slug, n = base, 1
    while Project.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Project.objects.create(name=name, slug=slug, description=description)


# --- accounts and memberships ----------------------------------------------


@transaction.atomic
def user_create(
    *,
    username: str,
    role: Role,
    project: Project | None = None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create an account with ``role`` in ``project`` (default: the first
    project); returns it and the generated password (None when ``password``
    was given, which must pass the password validators).
    """
    users = get_user_model()._default_manager
    if users.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"User “{username}” already exists."]})
    generated = None
    if password is None:
        password = generated = secrets.token_urlsafe(12)
    user = users.model(username=username)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    membership_set(
        user=user, project=project or Project.objects.first_project(), role=role
    )
    return user, generated


@transaction.atomic
def membership_set(*, user: User, project: Project, role: Role) -> Membership:
    """Make ``role`` the user's role in ``project`` (adding them if needed)."""
    membership, created = Membership.objects.get_or_create(
        project=project, user=user, defaults={"role": int(role)}
    )
    if not created and membership.role != role:
        _keep_an_admin(membership, new_role=role)
        membership.role = int(role)
        membership.save(update_fields=["role"])
    forget_roles(user)
    return membership


@transaction.atomic
def membership_remove(*, user: User, project: Project) -> None:
    """Take ``user`` out of ``project`` (their annotations stay, authored by them)."""
    membership = Membership.objects.filter(project=project, user=user).first()
    if membership is None:
        raise ValidationError({"user": [f"{user} is not a member of {project}."]})
    _keep_an_admin(membership, new_role=None)
    membership.delete()
    forget_roles(user)


def _keep_an_admin(membership: Membership, *, new_role: Role | None) -> None:
    """A project keeps at least one admin among its members."""
    if membership.role != Role.ADMIN or new_role == Role.ADMIN:
        return
    others = Membership.objects.filter(
        project_id=membership.project_id, role=Role.ADMIN
    ).exclude(pk=membership.pk)
    if not others.select_for_update().exists():
        raise ValidationError(
            {"role": ["A project needs an admin: make someone else admin first."]}
        )


# --- API tokens ---------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User, project: Project | None = None) -> str:
    """A new bearer token for ``user``; shown once, only its hash is kept."""
    token, _ = api_token_issue(user=user, project=project)
    return token


@transaction.atomic
def api_token_issue(
    *, user: User, project: Project | None = None, days: int | None = None
) -> tuple[str, ApiToken]:
    """A new bearer token for ``user`` in ``project`` (default: their first
    project) and its stored row (hash, expiry).

    It expires after ``days`` (default: the setting GLOSS_API_TOKEN_DAYS); the
    token itself is returned once and never stored.
    """
    days = settings.GLOSS_API_TOKEN_DAYS if days is None else days
    if days < 1:
        raise ValidationError({"days": ["A token must last at least one day."]})
    if project is None:
        project = Project.objects.of(user).order_by("pk").first()
    if project is None:
        raise ValidationError({"project": [f"{user} belongs to no project yet."]})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        project=project,
        key_hash=ApiToken.hash(token),
        hint=token[: len(TOKEN_PREFIX) + 4],
        expires=timezone.now() + timedelta(days=days),
    )
    return token, row


@transaction.atomic
def api_tokens_revoke(*, user: User) -> int:
    """Delete all of ``user``'s tokens; returns how many there were."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted
