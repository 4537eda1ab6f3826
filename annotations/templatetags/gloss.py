"""Template helpers for the annotation layer of the reading page."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse

from accounts import roles
from annotations import live
from annotations.selectors import display_name, document_memos
from corpus.models import Document

register = template.Library()
LIVE_POLL_MS = 2000  # how often the reader asks what changed


@register.simple_tag(takes_context=True)
def reader_config(context: template.Context, document: Document) -> dict[str, Any]:
    """What static/js/reader.js needs, emitted with ``json_script`` (escaped)."""
    request = context["request"]
    user = request.user
    return {
        "document": document.slug,
        "user": {"username": user.get_username(), "name": display_name(user)},
        "canAnnotate": roles.can_annotate(user, document.project),
        "canModerate": roles.can_moderate(user, document.project),
        "csrfToken": get_token(request),
        "api": {
            "themes": reverse("api:themes"),
            "annotations": reverse("api:annotation_list"),
            "live": reverse("api:document_live", args=[document.slug]),
        },
        # Read before the page's scripts load the list: a change made in
        # between is sent again by the first poll (applying it is idempotent).
        "liveCursor": live.current_cursor(document),
        "livePollMs": LIVE_POLL_MS,
    }


@register.inclusion_tag("annotations/_document_memos.html", takes_context=True)
def document_memo_list(context: template.Context, document: Document) -> dict[str, Any]:
    """The reading page's memos on the document, and a link to write one."""
    return {
        "document": document,
        "memos": list(document_memos(document)),
        "can_write": roles.can_annotate(context["request"].user, document.project),
    }
