"""Forms of the analysis pages: they read and check the query string (an
unknown theme, coder or document is a 400 with the form's message)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from analysis.selectors import MEMO_SUBJECTS, PassageFilters
from annotations.models import NOTE_MAX_LENGTH, Annotation, Theme
from corpus.models import Document

SUBJECT_HELP = "theme:<slug>, document:<slug> or passage:<number>"


class PassageFilterForm(forms.Form):
    """Themes (with AND / OR), coders, documents and words in the quote."""

    theme = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Themes",
        help_text="A theme includes its sub-themes.",
    )
    mode = forms.ChoiceField(
        choices=[("or", "any of them (OR)"), ("and", "all of them (AND)")],
        required=False,
        label="Passages with",
    )
    within = forms.ChoiceField(
        choices=[("passage", "on the passage"), ("paragraph", "in the paragraph")],
        required=False,
        label="AND judged",
    )
    coder = forms.ModelMultipleChoiceField(
        queryset=get_user_model()
        ._default_manager.filter(annotations__isnull=False)
        .distinct()
        .order_by("username"),
        to_field_name="username",
        required=False,
        label="Coders",
    )
    document = forms.ModelMultipleChoiceField(
        queryset=Document.objects.order_by("source_name"),
        to_field_name="slug",
        required=False,
        label="Documents",
    )
    q = forms.CharField(max_length=200, required=False, label="Words in the quote")
    order = forms.ChoiceField(
        choices=[("reading", "document order"), ("newest", "newest first")],
        required=False,
        label="Order",
    )

    def filters(self) -> PassageFilters:
        data: dict[str, Any] = self.cleaned_data
        return PassageFilters(
            themes=list(data["theme"]),
            mode=data["mode"] or "or",
            within=data["within"] or "passage",
            coders=list(data["coder"]),
            documents=list(data["document"]),
            query=data["q"].strip(),
        )


class KwicForm(PassageFilterForm):
    """A keyword or phrase, where to look, and the sort order."""

    keyword = forms.CharField(
        min_length=2, max_length=100, label="Word or phrase", strip=True
    )
    scope = forms.ChoiceField(
        choices=[("corpus", "the whole corpus"), ("passages", "the coded passages")],
        required=False,
        label="Look in",
    )
    sort = forms.ChoiceField(
        choices=[
            ("position", "document order"),
            ("left", "left context"),
            ("keyword", "keyword"),
            ("right", "right context"),
        ],
        required=False,
        label="Sort by",
    )

    def clean_keyword(self) -> str:
        keyword = self.cleaned_data["keyword"]
        if not any(char.isalnum() for char in keyword):
            raise forms.ValidationError("The keyword needs a letter or a digit.")
        return keyword


class MemoForm(forms.Form):
    """A memo's text and its subject: ``theme:<slug>``, ``document:<slug>``,
    ``passage:<id>`` or empty (the project journal)."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=NOTE_MAX_LENGTH
    )
    subject = forms.CharField(
        required=False,
        max_length=300,
        help_text=SUBJECT_HELP + ", or empty for the project journal.",
    )

    def clean_subject(self) -> dict[str, Any]:
        raw = self.cleaned_data["subject"].strip()
        if not raw:
            return {}
        kind, _, key = raw.partition(":")
        if kind not in MEMO_SUBJECTS[:3] or not key:
            raise forms.ValidationError(f"Write the subject as {SUBJECT_HELP}.")
        return _subject(kind, key.strip())


def _subject(kind: str, key: str) -> dict[str, Any]:
    found: Any
    if kind == "theme":
        found = Theme.objects.filter(slug=key).first()
    elif kind == "document":
        found = Document.objects.filter(slug=key).first()
    else:
        found = key.isdigit() and Annotation.objects.filter(pk=int(key)).first()
    if not found:
        raise forms.ValidationError(f"There is no {kind} “{key}”.")
    return {"annotation" if kind == "passage" else kind: found}
