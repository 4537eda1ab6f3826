"""Account pages: switching the current project.

Thin views: the choice is checked against the person's own projects
(``request.projects``, set by the middleware), so a project they cannot open
is answered exactly like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.projects import remember


@require_POST
def project_switch(request: HttpRequest) -> HttpResponseRedirect:
    """Make another of the person's projects current, and go to its documents
    (the page they were on may belong to the project they left)."""
    slug = request.POST.get("project", "")
    chosen = next((p for p in request.projects if p.slug == slug), None)  # type: ignore[attr-defined]
    if chosen is None:
        raise Http404("No such project.")
    remember(request, chosen)
    messages.info(request, f"You are working in {chosen.name}.")
    return redirect("corpus:document_list")
