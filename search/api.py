"""``GET /api/search``: the search service as JSON (a django-ninja router).

The API assembled in ``config/api.py`` gives it the same authentication
(session or ``Authorization: Bearer``), roles and JSON refusals as every other
endpoint. A parameter the description rules out is a 400; a query whose syntax
cannot be read (an unclosed quote, too deep a nesting) is a 422; either way
``error`` says what to fix; ``notice`` says when the results are partial (the
time budget ran out).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.api_fields import ApiError, CountingInt, ErrorOut, Text
from accounts.projects import request_project
from search.backend import SORTS
from search.query import QuerySyntaxError
from search.services import (
    MAX_PAGE_SIZE,
    RETRY_AFTER,
    SearchBusy,
    SearchRequestError,
    search_paragraphs,
)

router = Router(tags=["search"])
Sort = Literal["relevance", "document"]
assert set(get_args(Sort)) == set(SORTS), "keep Sort in step with the backend"


class SearchQuery(Schema):
    q: Text = Field("", max_length=500, description="The query (README, Search).")
    theme: list[Text] = Field([], description="Theme slugs (any of them).")
    document: list[Text] = Field([], description="Document slugs (any of them).")
    lang: list[Text] = Field([], description="Language codes (any of them).")
    kind: list[Text] = Field([], description="Record kinds (any of them).")
    sort: Sort = "relevance"
    page: CountingInt = 1
    page_size: CountingInt = Field(
        20, description=f"Capped at {MAX_PAGE_SIZE}, not refused."
    )


class ParagraphOut(Schema):
    id: int
    document: str
    document_title: str
    position: int
    kind: str
    lang: str
    section: str
    text: str


class HitOut(Schema):
    paragraph: ParagraphOut
    score: float
    highlight: str = Field(description="Escaped HTML with <mark> around matches.")
    themes: list[str]


class FacetOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    query: str
    corrected_query: str | None = Field(description="Searched instead, if any.")
    total: int
    page: int
    results: list[HitOut]
    facets: dict[str, list[FacetOut]]
    notice: str = Field(
        description="Why the results may be partial (e.g. the time budget ran "
        "out); empty when they are complete."
    )


@router.get(
    "/search",
    response={
        200: SearchOut,
        400: ErrorOut,
        401: ErrorOut,
        422: ErrorOut,
        403: ErrorOut,
        429: ErrorOut,
    },
    summary="Search paragraph records, with facets and highlights.",
)
def search(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    """Search the caller's project: the token's, or the session's current one."""
    project = request_project(request)
    if project is None:  # authentication refuses these callers first
        raise ApiError(403, "Your account belongs to no project yet.")
    filters = {
        name: values
        for name in ("theme", "document", "lang", "kind")
        if (values := getattr(params, name))
    }
    try:
        result = search_paragraphs(
            project=project,
            query=params.q.strip(),
            filters=filters,
            page=params.page,
            page_size=params.page_size,
            sort=params.sort,
        )
    except SearchBusy as exc:  # a long query while another holds the turn
        raise ApiError(
            429, str(exc), headers={"Retry-After": str(RETRY_AFTER)}
        ) from None
    except (QuerySyntaxError, SearchRequestError) as exc:
        raise ApiError(422, str(exc)) from None
    return result.as_json()
