"""``GET /api/search``: the search service as JSON (shape in README, "Search").

It goes through the API's shared wrapper (``annotations.api.api_view``): the
same authentication (session or ``Authorization: Bearer``), roles and JSON
refusals (401, 403, 405) as every other endpoint."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, JsonResponse

from annotations.api import api_view
from search.forms import SearchForm
from search.query import QuerySyntaxError
from search.services import (
    RETRY_AFTER,
    SearchBusy,
    SearchRequestError,
    search_paragraphs,
)


@api_view("GET")
def search(request: HttpRequest, user: AbstractBaseUser) -> JsonResponse:
    """Malformed parameters or query: 400 with ``{"error": message}``."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _bad_request(form.error_message())
    try:
        result = search_paragraphs(**form.search_arguments())
    except SearchBusy as exc:
        response = _bad_request(str(exc), status=429)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    except (QuerySyntaxError, SearchRequestError) as exc:
        return _bad_request(str(exc))
    return JsonResponse(result.as_json(), json_dumps_params={"ensure_ascii": False})


def _bad_request(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
