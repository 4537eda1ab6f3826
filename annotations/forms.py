"""Forms of the codebook and bulk-review pages: input checks only.

Domain rules (unique names, retired themes, offsets) are the services'; views
copy a service's ``ValidationError`` onto the form with ``apply_errors``.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import Project
from accounts.roles import Role
from annotations.models import (
    HEX_COLOUR,
    NOTE_MAX_LENGTH,
    CodingRound,
    Origin,
    Theme,
)
from annotations.services import BULK_MAX_ITEMS, SpanRequest
from corpus.models import Document

ITEM_PATTERN = re.compile(r"^(\d{1,12})(?::(\d{1,9})-(\d{1,9}))?$")


class ThemeForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    inclusion = forms.CharField(
        label="Inclusion notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What to code with this theme.",
    )
    exclusion = forms.CharField(
        label="Exclusion notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What not to code with it.",
    )
    colour = forms.CharField(
        max_length=7,
        initial="#2f5d8a",
        validators=[HEX_COLOUR],
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    # The theme's version the form was made from (services: no lost updates).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Theme.objects.none(),
        to_field_name="slug",
        label="Merge into",
        help_text="Every annotation of this theme moves there; this theme goes.",
    )

    def __init__(self, *args: object, source: Theme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["target"]
        themes = Theme.objects.filter(project=source.project_id).active()
        field.queryset = themes.exclude(pk=source.pk)  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    """Where a theme goes in the tree; cycles are the service's to refuse."""

    parent = forms.ModelChoiceField(
        queryset=Theme.objects.none(),
        to_field_name="slug",
        required=False,
        label="Put under",
        empty_label="(top level)",
        help_text="Its sub-themes move with it.",
    )

    def __init__(self, *args: object, theme: Theme, **kwargs: object) -> None:
        current = theme.parent.slug if theme.parent_id else None
        kwargs.setdefault("initial", {"parent": current})
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["parent"]
        themes = Theme.objects.filter(project=theme.project_id)
        field.queryset = themes.exclude(pk=theme.pk)  # type: ignore[attr-defined]


class BulkTagForm(forms.Form):
    """The confirm step: one theme, an optional note, the passages kept."""

    theme = forms.ModelChoiceField(
        queryset=Theme.objects.none(),  # the project's: see __init__
        to_field_name="slug",
        empty_label=None,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="Added to every new annotation (optional).",
    )
    item = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Keep at least one passage."},
    )

    def __init__(
        self,
        *args: object,
        items: list[str],
        project: Project | None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        theme = self.fields["theme"]
        theme.queryset = Theme.objects.filter(project=project).active()  # type: ignore[attr-defined]
        self.fields["item"].choices = [(key, key) for key in items]  # type: ignore[attr-defined]

    def spans(self) -> list[SpanRequest]:
        return [parse_item(key) for key in self.cleaned_data["item"]]


def parse_item(key: str) -> SpanRequest:
    """``"12"`` (whole paragraph 12) or ``"12:0-40"`` (a span of it).

    >>> parse_item("12:0-40")
    SpanRequest(paragraph=12, start=0, end=40)
    >>> parse_item("7")
    SpanRequest(paragraph=7, start=None, end=None)
    """
    match = ITEM_PATTERN.match(key.strip())
    if match is None:
        raise ValidationError(f"“{key}” is not a paragraph id or id:start-end.")
    paragraph, start, end = match.groups()
    if start is None:
        return SpanRequest(int(paragraph))
    return SpanRequest(int(paragraph), int(start), int(end))


def parse_item_list(paragraphs: str, spans: str) -> tuple[list[str], list[str]]:
    """The review page's query: ``paragraphs=1,2`` and ``spans=3:0-9,4:2-5``.

    Returns the valid item keys (in order, without repeats) and messages
    about the rest.

    >>> parse_item_list("1, 2,x", "3:0-9,1")
    (['1', '2', '3:0-9'], ['“x” is not a paragraph id or id:start-end.'])
    """
    keys, problems = [], []
    for raw in [*paragraphs.split(","), *spans.split(",")]:
        if not raw.strip():
            continue
        try:
            item = parse_item(raw)
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        keys.append(item_key(item))
    unique = list(dict.fromkeys(keys))
    if len(unique) > BULK_MAX_ITEMS:
        problems.append(f"Only the first {BULK_MAX_ITEMS} passages are shown.")
    return unique[:BULK_MAX_ITEMS], problems


def item_key(item: SpanRequest) -> str:
    if item.start is None:
        return str(item.paragraph)
    return f"{item.paragraph}:{item.start}-{item.end}"


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form, by field when it has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


# --- blind rounds and the agreement page --------------------------------------


def round_coders(project: Project | None) -> QuerySet:
    """The members of ``project`` who can annotate: who can code in a round."""
    users = get_user_model()._default_manager
    return (
        users.filter(
            is_active=True,
            memberships__project=project,
            memberships__role__gte=Role.ANNOTATOR,
        )
        .distinct()
        .order_by("username")
    )


class _UserChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name().strip()
        return f"{full} ({obj.username})" if full else obj.username


class RoundForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="E.g. “Pilot, chapter 2”.")
    documents = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each document can be in one open round at a time.",
    )
    coders = _UserChoice(
        queryset=get_user_model()._default_manager.none(),
        to_field_name="username",
        widget=forms.CheckboxSelectMultiple,
        help_text="At least two members who can annotate.",
    )

    def __init__(self, *args: Any, project: Project | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = Document.objects.in_project(project).order_by("source_name")
        self.fields["documents"].queryset = documents  # type: ignore[attr-defined]
        self.fields["coders"].queryset = round_coders(project)  # type: ignore[attr-defined]


class AgreementForm(forms.Form):
    """The agreement page's choices (GET); empty means everyone, everything."""

    coding_round = forms.ModelChoiceField(
        queryset=CodingRound.objects.none(),
        required=False,
        label="Round",
        empty_label="No round: all annotations",
        help_text="A round fixes the coders, documents and time window.",
    )
    coders = _UserChoice(
        queryset=get_user_model()._default_manager.none(),
        to_field_name="username",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    documents = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    unit = forms.ChoiceField(
        choices=[("paragraph", "Paragraph"), ("sentence", "Sentence")],
        initial="paragraph",
        required=False,
        widget=forms.RadioSelect,
    )
    bulk = forms.BooleanField(required=False, label="Include bulk tagging")
    search = forms.BooleanField(
        required=False, label="Include tags made on search results"
    )

    def __init__(self, *args: Any, project: Project | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rounds = CodingRound.objects.filter(project=project)
        self.fields["coding_round"].queryset = rounds  # type: ignore[attr-defined]
        self.fields["coders"].queryset = round_coders(project)  # type: ignore[attr-defined]
        documents = Document.objects.in_project(project).order_by("source_name")
        self.fields["documents"].queryset = documents  # type: ignore[attr-defined]

    def origins(self) -> frozenset[str]:
        chosen = {Origin.MANUAL, Origin.IMPORT}
        if self.cleaned_data.get("bulk"):
            chosen.add(Origin.BULK)
        if self.cleaned_data.get("search"):
            chosen.add(Origin.SEARCH)
        return frozenset(chosen)
