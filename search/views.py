"""The search page (the site's home): full page, or just the results for htmx.

Every state of the page (query, filters, sort, page) is a GET URL, so it can
be bookmarked and shared; htmx only fetches the changing part and pushes the
URL. Without JavaScript the same links and form work as plain requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from accounts import roles
from accounts.projects import request_project
from corpus.http import HtmxHttpRequest
from search.forms import SearchForm
from search.query import QuerySyntaxError
from search.selectors import tag_themes
from search.services import (
    RETRY_AFTER,
    SearchBusy,
    SearchRequestError,
    SearchResult,
    search_paragraphs,
)

FACET_TITLES = {
    "document": "Document",
    "theme": "Theme",
    "lang": "Language",
    "kind": "Kind",
}


def search(request: HtmxHttpRequest) -> HttpResponse:
    """Search the current project (the only one whose records anyone sees here)."""
    project = request_project(request)
    if project is None:  # RoleRequiredMiddleware refuses these requests first
        raise PermissionDenied("Your account belongs to no project yet.")
    form = SearchForm(request.GET)
    result, error, status = None, "", 200
    if not form.is_valid():
        error, status = form.error_message(), 400
    else:
        try:
            result = search_paragraphs(
                project=project, viewer=request.user, **form.search_arguments()
            )
        except (QuerySyntaxError, SearchRequestError) as exc:
            error, status = str(exc), 429 if isinstance(exc, SearchBusy) else 400
    context = {"form": form, "result": result, "error": error, **tagging(request)}
    if result is not None:
        context.update(navigation(result))
    # htmx gets only the part that changes, except when it restores history
    # after a cache miss: then it needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "search/_search.html" if partial else "search/search.html"
    response = render(request, template, context, status=status)
    if status == 429:
        response["Retry-After"] = str(RETRY_AFTER)
    patch_vary_headers(response, ("HX-Request",))  # caches keep both versions apart
    return response


def tagging(request: HttpRequest) -> dict[str, Any]:
    """What the hit list needs to offer tagging in place: the active themes,
    for people allowed to annotate (the API checks again on every write)."""
    if not roles.can_annotate(request.user, request_project(request)):
        return {"can_tag": False}
    return {"can_tag": True, "tag_themes": list(tag_themes(request_project(request)))}


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    url: str
    active: bool


@dataclass(frozen=True)
class ActiveFilter:
    name: str
    label: str
    url: str  # the page without this filter


def navigation(result: SearchResult) -> dict[str, Any]:
    """Facet links (clicking narrows), active filters (clicking removes) and
    previous/next page links, all built from the current state."""
    labels = {
        (name, row.value): row.label
        for name, rows in result.facets.items()
        for row in rows
    }
    facets = [
        (FACET_TITLES[name], [_facet_link(result, name, row) for row in rows])
        for name, rows in result.facets.items()
        if rows
    ]
    active = [
        ActiveFilter(
            FACET_TITLES[name],
            labels.get((name, value), value),
            _url(result, _without(result.filters, name, value)),
        )
        for name, values in result.filters.items()
        for value in values
    ]
    return {
        "first_number": (result.page - 1) * result.page_size + 1,
        "facets": facets,
        "active_filters": active,
        "previous_url": _url(result, result.filters, result.page - 1)
        if result.page > 1
        else "",
        "next_url": _url(result, result.filters, result.page + 1)
        if result.page < result.page_count
        else "",
    }


def _facet_link(result: SearchResult, name: str, row: Any) -> FacetLink:
    active = row.value in result.filters.get(name, [])
    filters = (
        _without(result.filters, name, row.value)
        if active
        else _with(result.filters, name, row.value)
    )
    return FacetLink(row.label, row.count, _url(result, filters), active)


def _with(filters: dict[str, list[str]], name: str, value: str) -> dict[str, list[str]]:
    return {**filters, name: [*filters.get(name, []), value]}


def _without(
    filters: dict[str, list[str]], name: str, value: str
) -> dict[str, list[str]]:
    return {k: [v for v in vs if (k, v) != (name, value)] for k, vs in filters.items()}


def _url(result: SearchResult, filters: dict[str, list[str]], page: int = 1) -> str:
    pairs: list[tuple[str, Any]] = [("q", result.query)] if result.query else []
    pairs += [(name, value) for name, values in filters.items() for value in values]
    if result.sort != "relevance":
        pairs.append(("sort", result.sort))
    if page > 1:
        pairs.append(("page", page))
    return "?" + urlencode(pairs)
