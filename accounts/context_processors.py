"""Template context: the current project, the person's role in it and what
it allows, and the other projects they may switch to.

Templates show or hide controls with ``gloss_can``; the server checks again
on every write (hiding a button is a courtesy, not a permission).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts import roles


def gloss(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    project = getattr(request, "project", None)
    role = roles.role_of(user, project)
    projects = getattr(request, "projects", [])
    return {
        "gloss_project": project,
        "gloss_projects": projects,
        "gloss_role": role.label if role else "",
        "gloss_can": {
            "annotate": roles.can_annotate(user, project),
            "moderate": roles.can_moderate(user, project),
            "codebook": roles.can_manage_codebook(user, project),
            "upload": roles.can_upload_documents(user, project),
            "administer": roles.can_administer(user, project),
            "create_projects": roles.can_create_projects(user),
            # Django's admin site lets in active staff only (AdminSite.has_permission).
            "django_admin": bool(
                user is not None and user.is_active and getattr(user, "is_staff", False)
            ),
        },
    }
