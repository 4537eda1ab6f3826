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
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import ApiToken, Membership, Project
from accounts.roles import Role, forget_roles
from accounts.tokens import welcome_path

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


@transaction.atomic
def project_start(*, name: str, creator: User) -> Project:
    """A new project whose first admin is ``creator`` (a site admin is admin
    everywhere already; the membership keeps them admin if that changes)."""
    project = project_create(name=name)
    membership_set(user=creator, project=project, role=Role.ADMIN)
    return project


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


@transaction.atomic
def member_add(*, project: Project, who: str, role: Role) -> Membership:
    """Add the existing account whose user name or email is ``who`` to
    ``project`` with ``role``; an account already in it is an error (its role
    is changed with ``membership_set``), so a typo never demotes anyone."""
    user = _account(who)
    current = Membership.objects.filter(project=project, user=user).first()
    if current is not None:
        raise ValidationError(
            {
                "who": [
                    f"{user.get_username()} is already a member "
                    f"({current.get_role_display()}); change their role in the list."
                ]
            }
        )
    return membership_set(user=user, project=project, role=role)


def _account(who: str) -> User:
    """The active account named ``who`` (user name, else email; any case)."""
    who = who.strip()
    if not who:
        raise ValidationError({"who": ["Give a user name or an email address."]})
    users = get_user_model()._default_manager.filter(is_active=True)
    found = list(users.filter(Q(username__iexact=who) | Q(email__iexact=who))[:3])
    by_name = [u for u in found if u.username.lower() == who.lower()]
    if by_name:
        return by_name[0]
    if len(found) == 1:
        return found[0]
    if found:
        raise ValidationError(
            {"who": [f"Several accounts have the address {who}: give a user name."]}
        )
    raise ValidationError(
        {"who": [f"No account is called {who}: create a new one below instead."]}
    )


@transaction.atomic
def member_invite(
    *,
    project: Project,
    username: str,
    role: Role,
    site_url: str,
    name: str = "",
    email: str = "",
) -> tuple[User, str]:
    """Create an account with no password yet, give it ``role`` in
    ``project``, and return it with its one-time sign-in link (``site_url``
    + ``accounts.tokens.welcome_path``).

    When ``settings.GLOSS_SEND_INVITES`` is on and ``email`` is given, the link
    is also emailed, after the transaction commits.
    """
    user = _new_account(username=username, name=name, email=email)
    membership_set(user=user, project=project, role=role)
    link = site_url.rstrip("/") + welcome_path(user)
    if settings.GLOSS_SEND_INVITES and user.email:
        transaction.on_commit(partial(_send_invite, user, project, link))
    return user, link


def _new_account(*, username: str, name: str, email: str) -> User:
    users = get_user_model()._default_manager
    username, email = username.strip(), email.strip()
    errors: dict[str, list[str]] = {}
    try:
        users.model._meta.get_field("username").run_validators(username)
    except ValidationError as error:
        errors["username"] = error.messages
    if not username:
        errors["username"] = ["Give the new account a user name."]
    elif users.filter(username__iexact=username).exists():
        errors["username"] = [f"The user name {username} is taken; add them above."]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [f"{email} is not an email address."]
    if errors:
        raise ValidationError(errors)
    first, _, last = " ".join(name.split()).partition(" ")
    user = users.model(
        username=username, email=email, first_name=first[:150], last_name=last[:150]
    )
    user.set_unusable_password()  # set by the person through the link
    user.save()
    return user


def _send_invite(user: User, project: Project, link: str) -> None:
    send_mail(
        subject=f"Your Gloss account in {project.name}",
        message=(
            f"Hello {user.get_full_name() or user.get_username()},\n\n"
            f"You have an account in the project {project.name} on Gloss, with "
            f"the user name {user.get_username()}. Open this link to choose "
            f"your password (it works once):\n\n{link}\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


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
def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Delete ``user``'s token ``token_id``; False (nothing changed) when
    they have no such token, someone else's included."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


@transaction.atomic
def api_tokens_revoke(*, user: User) -> int:
    """Delete all of ``user``'s tokens; returns how many there were."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted
