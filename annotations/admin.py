"""Admin: browse themes, annotations and activity; change nothing here.

Annotation and codebook writes must go through ``annotations.services`` (they
log activity and notify search), so these are read-only and point to the
app's pages. Projects, members and tokens: ``accounts.admin``.
"""

from __future__ import annotations

from django.contrib import admin
from taggit import models as taggit_models

from accounts.admin import ReadOnlyAdmin
from annotations.models import Activity, Annotation, Theme

# django-taggit registers its own Tag model; Gloss's themes are ``Theme``, so
# the stock "Tags" admin would only show an empty, unused table.
if admin.site.is_registered(taggit_models.Tag):
    admin.site.unregister(taggit_models.Tag)


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "project", "slug", "colour", "retired", "guid"]
    list_filter = ["project", "retired"]
    search_fields = ["name", "description"]


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "document", "paragraph", "start", "end", "orphaned"]
    list_filter = ["orphaned", "author", "document"]
    list_select_related = ["author", "document", "paragraph__document"]
    search_fields = ["quote", "note"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["created", "actor", "verb", "summary"]
    list_filter = ["verb", "actor"]
