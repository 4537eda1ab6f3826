"""Template context: the signed-in person's role and what it allows.

Templates show or hide controls with ``gloss_can``; the server checks again
on every write (hiding a button is a courtesy, not a permission).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from annotations import roles


def gloss(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = roles.role_of(user)
    return {
        "gloss_role": role.label if role else "",
        "gloss_can": {
            "annotate": roles.can_annotate(user),
            "moderate": roles.can_moderate(user),
            "codebook": roles.can_manage_codebook(user),
            "upload": roles.can_upload_documents(user),
            "administer": roles.can_administer(user),
        },
    }
