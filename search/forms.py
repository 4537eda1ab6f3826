"""Validation of search parameters from a query string (page and API alike)."""

from __future__ import annotations

from typing import Any

from django import forms

from search.backend import FACETS, SORTS
from search.services import MAX_PAGE_SIZE


class ListField(forms.Field):
    """A repeated query parameter (``?kind=a&kind=b``) as a list of strings."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v).strip() for v in values if str(v).strip()]


class SearchForm(forms.Form):
    """``q``, the four filters, ``sort``, ``page`` and ``page_size``.

    ``page_size`` above the maximum is capped rather than refused, so a client
    asking for too much gets the most it may have.
    """

    q = forms.CharField(required=False, max_length=500, strip=True)
    theme = ListField(required=False)
    document = ListField(required=False)
    lang = ListField(required=False)
    kind = ListField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    page = forms.IntegerField(required=False, min_value=1)
    page_size = forms.IntegerField(required=False, min_value=1)

    def clean_page_size(self) -> int:
        size = self.cleaned_data.get("page_size") or 20
        return min(size, MAX_PAGE_SIZE)

    def search_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``search_paragraphs`` (call after is_valid)."""
        data = self.cleaned_data
        return {
            "query": data["q"],
            "filters": {name: data[name] for name in FACETS if data[name]},
            "page": data["page"] or 1,
            "page_size": data["page_size"],
            "sort": data["sort"] or "relevance",
        }

    def error_message(self) -> str:
        """All errors as one line, e.g. ``page: Ensure this value is …``."""
        return "; ".join(
            f"{name}: {' '.join(map(str, errors))}"
            for name, errors in self.errors.items()
        )
