"""Forms of the curation pages and the admin: input checks only.

The metadata rules live in ``corpus.curation.clean_document_fields``; the
document form runs them in ``clean`` so the edit page and the admin show the
same messages beside the fields, before any service is called.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from corpus import curation
from corpus.models import Document, Paragraph

MAX_OFFSET = 10_000_000  # far beyond any record; keeps the integer field sane
CUSTOM = "custom"


class AuthorsField(forms.CharField):
    """Edit a list of author names as one name per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""  # None only if empty_value were
        return [line.strip() for line in text.splitlines() if line.strip()]


class DocumentForm(forms.ModelForm):
    """Citation metadata of a document (the edit page and the admin)."""

    authors = AuthorsField(required=False, help_text="One name per line.")

    class Meta:
        model = Document
        fields = ["title", "authors", "affiliation", "year", "language"]
        help_texts = {
            "title": "Empty means unknown: the file name is shown instead.",
            "language": "Main language, a code such as en or fr.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        editable = {k: v for k, v in cleaned.items() if k in curation.EDITABLE_FIELDS}
        try:
            cleaned.update(curation.clean_document_fields(editable))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return cleaned


# What may go between two merged texts (curation.JOINERS), as offered.
JOINER_CHOICES = [
    ("space", "a space"),
    ("none", "nothing"),
    ("newline", "a line break"),
]


class MergeForm(forms.Form):
    joiner = forms.ChoiceField(
        label="joined by", choices=JOINER_CHOICES, initial="space"
    )


class KindForm(forms.Form):
    kind = forms.ChoiceField(choices=Paragraph.Kind.choices)


class SplitForm(forms.Form):
    """A split point: one of the listed boundaries, or any offset typed in."""

    point = forms.CharField(required=False)
    offset = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_OFFSET,
        label="or at character",
        help_text="Counted from 0, in characters.",
    )
    second_kind = forms.ChoiceField(
        label="The second part is a", choices=Paragraph.Kind.choices
    )
    digest = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        point = (cleaned.get("point") or "").strip()
        if point and point != CUSTOM:
            if not point.isdigit() or int(point) > MAX_OFFSET:
                raise ValidationError("Pick one of the points listed.")
            cleaned["offset"] = int(point)
        if cleaned.get("offset") is None and "offset" not in self.errors:
            raise ValidationError(
                "Pick a point to split at, or type a character offset."
            )
        return cleaned
