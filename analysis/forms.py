"""Forms of the analysis pages: they read and check the query string (an
unknown theme, coder or document is a 400 with the form's message).

Each form takes the current project (``project=``, may be None): its choices
are that project's themes, documents, coders and languages only, so another
project's slug is refused with the very message an unknown one gets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from accounts.models import Project
from analysis.selectors import (
    MEMO_SUBJECTS,
    PassageFilters,
    project_passages,
    project_themes,
)
from annotations.exports.options import FilterError, search_hits
from annotations.models import NOTE_MAX_LENGTH, Theme
from annotations.selectors import annotators
from corpus.models import Document, Paragraph

# Only YYYY-MM-DD: 01/02/2026 is a different day in different countries,
# and the export page (which "export these" hands the dates to) takes only this.
ISO_DATE = ["%Y-%m-%d"]
SUBJECT_HELP = "theme:<slug>, document:<slug> or passage:<number>"


def _iso_date_field(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        input_formats=ISO_DATE,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="YYYY-MM-DD, inclusive.",
    )


def _optional_choice(label: str, **choices: str) -> forms.ChoiceField:
    """A choice that may be left out (the first is the default)."""
    return forms.ChoiceField(choices=list(choices.items()), required=False, label=label)


class CodingFilterForm(forms.Form):
    """Themes (with AND / OR), coders, documents and words in the quote: the
    filters the coded passages page shares with the KWIC."""

    # The querysets are set per project in __init__; none until then.
    theme = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(),
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
        queryset=get_user_model()._default_manager.none(),
        to_field_name="username",
        required=False,
        label="Coders",
    )
    document = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(),
        to_field_name="slug",
        required=False,
        label="Documents",
    )
    q = forms.CharField(max_length=200, required=False, label="Words in the quote")

    def __init__(self, *args: Any, project: Project | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        fields: dict[str, Any] = self.fields
        fields["theme"].queryset = project_themes(project).order_by("name")
        fields["coder"].queryset = annotators(project)
        fields["document"].queryset = Document.objects.in_project(project).order_by(
            "source_name"
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


class PassageFilterForm(CodingFilterForm):
    """The coded passages page's further filters (the record's language and
    kind, when the passage was made, a search query) and its layout."""

    language = forms.MultipleChoiceField(
        choices=[], required=False, label="Language of the record"
    )
    kind = forms.MultipleChoiceField(
        choices=Paragraph.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Kind of record",
    )
    since = _iso_date_field("Coded from")
    until = _iso_date_field("Coded to")
    query = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"aria-describedby": "query-help"}),
        label="Search query",
        help_text="The search page's query language: passages in the records it finds.",
    )
    group = _optional_choice(
        "Group", document="by document", theme="by theme", none="not grouped"
    )
    order = _optional_choice(
        "Order", reading="document order", newest="newest first", oldest="oldest first"
    )
    layer = _optional_choice(
        "Layer", coders="coders", consensus="consensus (settled in adjudication)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        languages = record_languages(self.project)
        self.fields["language"].choices = [(code, code) for code in languages]

    def clean_query(self) -> frozenset[int] | None:
        query = self.cleaned_data["query"].strip()
        if not query:
            return None
        try:
            return search_hits(self.project, query)
        except FilterError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("“Coded from” is after “Coded to”.")
        return data

    def filters(self) -> PassageFilters:
        data: dict[str, Any] = self.cleaned_data
        return replace(
            super().filters(),
            languages=list(data["language"]),
            kinds=list(data["kind"]),
            since=data["since"],
            until=data["until"],
            paragraph_ids=data["query"],
        )


def record_languages(project: Project | None) -> list[str]:
    """The languages ``project``'s records are in (one query)."""
    rows = Paragraph.objects.in_project(project).exclude(lang="")
    rows = rows.values_list("lang", flat=True)
    return list(rows.distinct().order_by("lang"))


class KwicForm(CodingFilterForm):
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
    ``passage:<id>`` or empty (the project journal); a subject is looked up
    in ``project`` only."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=NOTE_MAX_LENGTH
    )
    subject = forms.CharField(
        required=False,
        max_length=300,
        help_text=SUBJECT_HELP + ", or empty for the project journal.",
    )

    def __init__(self, *args: Any, project: Project | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_subject(self) -> dict[str, Any]:
        raw = self.cleaned_data["subject"].strip()
        if not raw:
            return {}
        kind, _, key = raw.partition(":")
        if kind not in MEMO_SUBJECTS[:3] or not key:
            raise forms.ValidationError(f"Write the subject as {SUBJECT_HELP}.")
        return _subject(self.project, kind, key.strip())


def _subject(project: Project | None, kind: str, key: str) -> dict[str, Any]:
    """The subject named, in ``project``: another project's is unknown."""
    found: Any
    if kind == "theme":
        found = project_themes(project).filter(slug=key).first()
    elif kind == "document":
        found = Document.objects.in_project(project).filter(slug=key).first()
    else:
        passages = project_passages(project)
        found = key.isdigit() and passages.filter(pk=int(key)).first()
    if not found:
        raise forms.ValidationError(f"There is no {kind} “{key}”.")
    return {"annotation" if kind == "passage" else kind: found}
