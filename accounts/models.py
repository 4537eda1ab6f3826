"""Projects, who belongs to them with which role, and API tokens.

- ``Project``: one study's corpus, codebook, annotations and memos. Every
  installation has at least one (the first is made by a migration and takes
  the bundled corpus).
- ``Membership``: a person's role in one project (see ``accounts.roles``). A
  person may belong to several projects with a different role in each; site
  administrators (superusers) act as project admins everywhere.
- ``ApiToken``: a bearer token for scripts, working in one project; only its
  SHA-256 is stored.

Writes go through ``accounts.services``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models


class ProjectQuerySet(models.QuerySet["Project"]):
    def first_project(self) -> Project:
        """The oldest project: where the bundled corpus and un-scoped commands go."""
        return self.order_by("pk").first() or self.create(
            name="Main project", slug="main"
        )

    def of(self, user: object) -> ProjectQuerySet:
        """The projects ``user`` may open: their memberships, or all for a superuser."""
        if not getattr(user, "is_authenticated", False) or not getattr(
            user, "is_active", False
        ):
            return self.none()
        if getattr(user, "is_superuser", False):
            return self.all()
        return self.filter(memberships__user=user).distinct()


class Project(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """``user`` has ``role`` in ``project`` (one row per person and project)."""

    class RoleChoice(models.IntegerChoices):
        VIEWER = 1, "Viewer"
        ANNOTATOR = 2, "Annotator"
        CURATOR = 3, "Curator"
        ADMIN = 4, "Admin"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.PositiveSmallIntegerField(choices=RoleChoice.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="membership_one_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.get_role_display()})"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def matching(self, token: str) -> ApiTokenQuerySet:
        return self.filter(key_hash=ApiToken.hash(token))


class ApiToken(models.Model):
    """A bearer token for scripts, working in one project; only its SHA-256 is
    stored.

    Tokens are 256-bit random strings, so a plain hash is enough (no need for
    a slow password hash: there is nothing to brute-force).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The project the token's requests work in.",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="First characters, to tell apart."
    )
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    expires = models.DateTimeField(
        editable=False, help_text="Refused from then on (GLOSS_API_TOKEN_DAYS)."
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
