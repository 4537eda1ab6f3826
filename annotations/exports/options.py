"""Turn filter values typed by people (command options, page fields) into
``ExportFilters``, with one clear message per problem (``FilterError``).

Themes are named by slug or name, annotators by user name, documents by source
file name or slug, dates as ``YYYY-MM-DD``; a search query keeps the excerpts
in the paragraphs it finds (all pages of hits).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q

from accounts.models import Project
from annotations.exports.selection import CODERS, LAYERS, ExportFilters
from annotations.models import Theme
from annotations.selectors import people
from corpus.models import Document
from search.query import QuerySyntaxError
from search.services import MAX_PAGE_SIZE, SearchRequestError, search_paragraphs


class FilterError(ValueError):
    """A filter value that names nothing, or a malformed date or query."""


def parse_filters(
    *,
    project: Project | None,
    themes: Sequence[str] = (),
    users: Sequence[str] = (),
    documents: Sequence[str] = (),
    since: str = "",
    until: str = "",
    query: str = "",
    date_labels: tuple[str, str] = ("--since", "--until"),
    viewer: User | None = None,
    layer: str = CODERS,
    agreed: bool = False,
) -> ExportFilters:
    """``date_labels`` name the two date fields in messages the way the caller
    shows them (the command's options, the page's labels). Names are looked
    up in ``project`` only: another project's theme, person or document is
    "no ... named", like one that does not exist. ``layer``: the coders'
    annotations or the consensus layer (``agreed``: with the units all
    coders agreed on)."""
    if layer not in LAYERS:
        raise FilterError(f"Layer: {layer!r} is not one of {', '.join(LAYERS)}.")
    return ExportFilters(
        project=project,
        themes=tuple(_theme(project, value) for value in themes if value),
        users=tuple(_user(project, value) for value in users if value),
        documents=tuple(_document(project, value) for value in documents if value),
        since=_date(since, date_labels[0]),
        until=_date(until, date_labels[1]),
        paragraph_ids=search_hits(project, query, viewer) if query.strip() else None,
        viewer=viewer,
        layer=layer,
        agreed=agreed,
    )


def search_hits(
    project: Project | None, query: str, viewer: User | None = None
) -> frozenset[int]:
    """Ids of every paragraph of ``project`` the search query finds (none
    without a project).

    Each page is a search of its own, so all of them together get a budget
    (``export_search_budget``): an export of a broad query once ran a
    hundred searches of up to 3 s each and held a worker for minutes. A query
    that cannot be gathered in time, or whose search stopped at its own
    budget (it would export only part of what it finds), is refused with a
    message.
    """
    if project is None:
        return frozenset()
    budget = export_search_budget()
    deadline = _clock() + budget
    ids: set[int] = set()
    page = 1
    while True:
        try:
            result = search_paragraphs(
                project=project,
                query=query,
                page=page,
                page_size=MAX_PAGE_SIZE,
                viewer=viewer,
            )
        except (QuerySyntaxError, SearchRequestError) as exc:
            raise FilterError(f"Search query: {exc}") from exc
        if result.partial:
            raise FilterError(TOO_BROAD.format(seconds=budget))
        ids.update(row.paragraph.pk for row in result.rows)
        if page >= result.page_count or not result.rows:
            return frozenset(ids)
        if _clock() >= deadline:
            raise FilterError(TOO_BROAD.format(seconds=budget))
        page += 1


def export_search_budget() -> float:
    """Seconds for all the searches of one export: three searches' budget."""
    return EXPORT_SEARCHES * settings.GLOSS_SEARCH_TIME_BUDGET


EXPORT_SEARCHES = 3
TOO_BROAD = (
    "Search query: it finds more than an export can gather within the "
    "{seconds:g} seconds it may search. Narrow the query (fewer OR words or "
    "prefixes), or export by theme, annotator or document instead."
)
_clock = time.monotonic  # a test replaces it


def _theme(project: Project | None, value: str) -> Theme:
    themes = Theme.objects.filter(project=project)
    found = themes.filter(Q(slug=value) | Q(name__iexact=value)).first()
    if found is None:
        raise FilterError(f"No theme named {value!r}.")
    return found


def _user(project: Project | None, value: str):  # type: ignore[no-untyped-def]
    found = people(project).filter(username=value).first()
    if found is None:
        raise FilterError(f"No user named {value!r}.")
    return found


def _document(project: Project | None, value: str) -> Document:
    found = Document.objects.in_project(project).by_name(value)
    if found is None:
        raise FilterError(f"No document named {value!r}.")
    return found


def _date(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise FilterError(f"{label}: {value!r} is not a date (YYYY-MM-DD).") from exc
