"""GET /api/search: the JSON shape, 400s with a message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from search.services import MAX_PAGE_SIZE
from tests.factories import ParagraphFactory, UserFactory

pytestmark = pytest.mark.django_db

PARAGRAPH_KEYS = {
    "id",
    "document",
    "document_title",
    "position",
    "kind",
    "lang",
    "section",
    "text",
}


def test_shape(client, small_corpus):
    response = client.get("/api/search", {"q": "cooperation", "page_size": 2})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "query",
        "corrected_query",
        "total",
        "page",
        "results",
        "facets",
        "notice",
    }
    assert (data["query"], data["corrected_query"], data["total"], data["page"]) == (
        "cooperation",
        None,
        3,
        1,
    )
    assert data["notice"] == ""  # complete results
    assert len(data["results"]) == 2
    first = data["results"][0]
    assert set(first) == {"paragraph", "score", "highlight", "themes"}
    assert set(first["paragraph"]) == PARAGRAPH_KEYS
    assert first["paragraph"]["document"] == "000-obstacles"
    assert first["paragraph"]["document_title"] == "Obstacles for Security Cooperation"
    assert first["paragraph"]["position"] == 2
    assert "<mark" in first["highlight"] and first["themes"] == []
    assert set(data["facets"]) == {"document", "theme", "lang", "kind"}
    assert {"value": "paragraph", "label": "paragraph", "count": 1} in data["facets"][
        "kind"
    ]


def test_filters_sort_and_pages(client, small_corpus):
    data = client.get(
        "/api/search",
        {
            "q": "cooperation OR smith",
            "kind": ["footnote", "reference"],
            "sort": "document",
            "page": 1,
        },
    ).json()
    assert [r["paragraph"]["position"] for r in data["results"]] == [4, 6]
    assert (
        client.get("/api/search", {"q": "souveraineté", "lang": "fr"}).json()["total"]
        == 1
    )


def test_corrected_query(client, small_corpus):
    data = client.get("/api/search", {"q": "distrst"}).json()
    assert data["corrected_query"] == "distrust" and data["total"] == 1


def test_unicode_is_sent_as_is(client, small_corpus):
    response = client.get("/api/search", {"q": "souveraineté"})
    assert "souveraineté".encode() in response.content


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        # the description rules these out: 400
        ({"q": "x", "page": "zero"}, 400, "page"),  # not a number
        ({"q": "x", "page": "0"}, 400, "page"),
        ({"q": "x", "sort": "date"}, 400, "sort"),
        # well-formed, but the query or the filters cannot be used: 422
        ({"q": '"unclosed'}, 422, "quotation mark"),  # malformed query
        ({"q": "co*"}, 422, "at least 3 letters"),  # prefix too short
        ({"q": "a1 OR"}, 422, "needs words on both sides"),
        ({"q": "x", "kind": "chapter"}, 422, "kind: must be one of"),
        ({"q": "x", "page": "5000"}, 422, "first 10,000 results"),
        ({"q": "(" * 30 + "x" + ")" * 30}, 422, "nests too deeply"),  # a RecursionError
        ({"q": "security" + " -x" * 163}, 422, "at most 32"),  # stalled a worker
    ],
)
def test_bad_requests_are_refused_with_a_message(
    client, small_corpus, params, status, message
):
    response = client.get("/api/search", params)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_page_size_is_capped(client, small_corpus):
    # More matching records than the cap, so a missing cap shows.
    for n in range(MAX_PAGE_SIZE + 5):
        ParagraphFactory(document=small_corpus, position=100 + n, text=f"trust {n}")
    from search.backend import get_backend

    get_backend().rebuild()
    data = client.get("/api/search", {"q": "trust", "page_size": "1000"}).json()
    assert data["total"] == MAX_PAGE_SIZE + 5  # all of them match
    assert len(data["results"]) == MAX_PAGE_SIZE  # capped, not refused


def test_script_in_a_paragraph_comes_back_escaped(client, small_corpus):
    ParagraphFactory(
        document=small_corpus, position=50, text='<script>alert("x")</script> trust'
    )
    from search.backend import get_backend

    get_backend().rebuild()
    for q in ("trust", "script", "alert", "kind:paragraph"):
        for result in client.get("/api/search", {"q": q}).json()["results"]:
            assert "<script" not in result["highlight"]
    body = client.get("/api/search", {"q": "script"}).json()["results"][0]
    assert body["highlight"].startswith("&lt;<mark")  # escaped text, marked match
    assert body["paragraph"]["text"].startswith("<script>")  # JSON carries the raw text


def test_only_get(client, small_corpus):
    assert client.post("/api/search", {"q": "x"}).status_code == 405


def test_signing_in_is_required(small_corpus):
    anonymous = Client()
    response = anonymous.get("/api/search", {"q": "cooperation"})
    assert response.status_code == 401
    assert "Sign in" in response.json()["error"]
    page = anonymous.get("/search/", {"q": "cooperation"})
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


def test_bearer_token_works_for_scripts(small_corpus):
    from accounts.services import api_token_create

    user = UserFactory(role=Role.VIEWER)
    token = api_token_create(user=user)
    response = Client().get(
        "/api/search", {"q": "cooperation"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert response.json()["total"] >= 1


def test_partial_results_carry_the_notice(client, small_corpus, settings):
    from search.backend import reset_backends

    settings.GLOSS_SEARCH_TIME_BUDGET = 1e-9  # spent before the first match
    reset_backends()
    try:
        data = client.get("/api/search", {"q": "cooperation"}).json()
    finally:
        reset_backends()
    assert "time budget" in data["notice"] and "partial" in data["notice"]
