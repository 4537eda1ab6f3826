"""Admin: browse projects, memberships and API tokens; change them in the app.

Projects and members are managed on the app's team pages (through
``accounts.services``), so these are read-only; a token may be deleted here
(revoking is always safe).
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import ApiToken, Membership, Project


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "created"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "project", "role", "created"]
    list_filter = ["project", "role"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["hint", "user", "project", "created", "expires", "last_used"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return True  # revoking a token is safe
