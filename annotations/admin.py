"""Admin: browse themes, annotations, tokens and activity; change nothing here.

Annotation and codebook writes must go through ``annotations.services`` (they
log activity and notify search), so these are read-only and point to the
app's pages. Users and their roles (groups) are managed in the stock User admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from taggit import models as taggit_models

from annotations.models import Activity, Annotation, ApiToken, Theme

# django-taggit registers its own Tag model; Gloss's themes are ``Theme``, so
# the stock "Tags" admin would only show an empty, unused table.
if admin.site.is_registered(taggit_models.Tag):
    admin.site.unregister(taggit_models.Tag)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "colour", "retired", "guid"]
    list_filter = ["retired"]
    search_fields = ["name", "description"]


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "document", "paragraph", "start", "end", "orphaned"]
    list_filter = ["orphaned", "author", "document"]
    list_select_related = ["author", "document", "paragraph__document"]
    search_fields = ["quote", "note"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["hint", "user", "created", "expires", "last_used"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return True  # revoking a token is safe


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["created", "actor", "verb", "summary"]
    list_filter = ["verb", "actor"]
