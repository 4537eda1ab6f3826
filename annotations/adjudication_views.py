"""The adjudication queue (``/adjudicate/``): where coders differ, unit by
unit, and a curator's decisions (``/adjudicate/decide/``).

Every member may read the queue (the agreement page already shows who
applied what); deciding needs Curator, checked here and by the service.
After a decision the queue comes back with the same filters and page, and
the focus on the next unit's first action, so a keyboard user goes on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Project
from accounts.projects import request_project
from accounts.roles import Role, role_required
from annotations import adjudication, consensus
from annotations.models import NOTE_MAX_LENGTH, Theme
from annotations.selectors import annotators
from corpus.models import Document, Paragraph

PAGE_SIZE = 10
# The queue's own parameters: all a decision carries back to it.
QUEUE_PARAMS = ("theme", "coder", "document", "status", "page")


class QueueForm(forms.Form):
    """The queue's filters; choices are the current project's only."""

    theme = forms.ModelChoiceField(
        queryset=Theme.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="all themes",
        label="Theme",
    )
    coder = forms.ModelMultipleChoiceField(
        queryset=get_user_model()._default_manager.none(),
        to_field_name="username",
        required=False,
        label="Coders",
        help_text="Compare only these (two or more); none: everyone.",
    )
    document = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(),
        to_field_name="slug",
        required=False,
        label="Documents",
    )
    status = forms.ChoiceField(
        choices=[(adjudication.OPEN, "to settle"), (adjudication.SETTLED, "settled")],
        required=False,
        label="Show",
    )

    def __init__(self, *args: Any, project: Project | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        fields: dict[str, Any] = self.fields
        fields["theme"].queryset = Theme.objects.filter(project=project).order_by(
            "name"
        )
        fields["coder"].queryset = annotators(project)
        fields["document"].queryset = Document.objects.in_project(project).order_by(
            "source_name"
        )

    def filters(self) -> adjudication.QueueFilters:
        data: dict[str, Any] = self.cleaned_data
        return adjudication.QueueFilters(
            project=self.project,
            theme=data["theme"],
            coders=tuple(data["coder"]),
            documents=tuple(data["document"]),
            status=data["status"] or adjudication.OPEN,
        )


DECISIONS = {"keep": True, "remove": False, "clear": None}


class DecideForm(forms.Form):
    paragraph = forms.IntegerField(min_value=1, max_value=2**62)
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.none(), to_field_name="slug", label="Theme"
    )
    decision = forms.ChoiceField(choices=[(k, k) for k in DECISIONS])
    note = forms.CharField(max_length=NOTE_MAX_LENGTH, required=False)
    back = forms.CharField(max_length=2000, required=False)

    def __init__(self, *args: Any, project: Project | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        themes: Any = self.fields["theme"]
        themes.queryset = Theme.objects.filter(project=project)

    def clean_paragraph(self) -> Paragraph:
        pk = self.cleaned_data["paragraph"]
        records = Paragraph.objects.in_project(self.project).visible()
        found = records.select_related("document").filter(pk=pk).first()
        if found is None:
            raise ValidationError(f"Paragraph {pk} does not exist.")
        return found


def queue(request: HttpRequest) -> HttpResponse:
    """The units where the chosen coders differ (or, ``status=settled``, the
    settled ones, to change a decision), ten a page."""
    project = request_project(request)
    form = QueueForm(request.GET, project=project)
    if not form.is_valid():
        context = {"form": form, "invalid": True}
        return render(request, "annotations/adjudicate.html", context, status=400)
    filters = form.filters()
    units = adjudication.queue(filters)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "status": filters.status,
        "page": page,
        "total": len(units),
        "items": adjudication.queue_items(filters, list(page.object_list)),
        "query": _params(request.GET, exclude="page"),
        "back": _params(request.GET),
        "themes": Theme.objects.filter(project=project).active().order_by("name"),
        "decided": "decided" in request.GET,
    }
    return render(request, "annotations/adjudicate.html", context)


@require_POST
@role_required(Role.CURATOR)
def decide(request: HttpRequest) -> HttpResponse:
    """Keep, remove or add (``decision=keep`` with any theme) a theme on a
    unit, or clear its decision; back to the queue as it was."""
    project = request_project(request)
    form = DecideForm(request.POST, project=project)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return HttpResponseBadRequest(" ".join(problems))
    data = form.cleaned_data
    try:
        message = _apply(request, project, data)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    messages.success(request, message)
    back = QueryDict(data["back"])
    target = reverse("annotations:adjudicate")
    # ``decided``: the page puts the focus on the next unit's first action.
    query = "&".join(q for q in (_params(back), "decided=1") if q)
    return redirect(f"{target}?{query}")


def _apply(request: HttpRequest, project: Any, data: dict[str, Any]) -> str:
    paragraph, theme = data["paragraph"], data["theme"]
    where = f"{paragraph.document.display_title} ¶ {paragraph.position}"
    present = DECISIONS[data["decision"]]
    actor: Any = request.user  # signed in: the role was checked
    if present is None:
        found = paragraph.consensus_decisions.filter(theme=theme).first()
        if found is None:
            raise ValidationError(f"{theme.name} is not decided on {where}.")
        consensus.consensus_clear(actor=actor, project=project, decision=found)
        return f"Withdrew the decision on {theme.name} in {where}."
    consensus.consensus_decide(
        actor=actor,
        project=project,
        paragraph=paragraph,
        theme=theme,
        present=present,
        note=data["note"],
    )
    verb = "has" if present else "lacks"
    return f"The consensus {verb} {theme.name} in {where}."


def _params(source: QueryDict, exclude: str = "") -> str:
    """The queue's own parameters of ``source``, as a query string."""
    kept = {
        key: [v for v in source.getlist(key) if v]
        for key in QUEUE_PARAMS
        if key != exclude
    }
    return urlencode({k: v for k, v in kept.items() if v}, doseq=True)
