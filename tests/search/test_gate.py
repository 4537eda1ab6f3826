"""Long searches take turns server-wide (search.gate): one that finds every
slot taken is refused at once with a 429, while ordinary searches go on."""

from __future__ import annotations

import pytest

from search import gate

HEAVY = " ".join(["distrust"] + [f"-word{n}" for n in range(gate.HEAVY_TERMS)])


@pytest.fixture
def slot_taken(settings):
    """Another worker's long search holds the only slot."""
    settings.GLOSS_SEARCH_HEAVY_SLOTS = 1
    with gate.heavy_turn(HEAVY) as allowed:
        assert allowed
        yield


def test_a_long_query_is_refused_while_another_long_one_runs(
    client, small_corpus, slot_taken
):
    response = client.get("/api/search", {"q": HEAVY})
    assert response.status_code == 429
    assert response["Retry-After"] == "3"
    assert "must wait its turn" in response.json()["error"]
    page = client.get("/search/", {"q": HEAVY})
    assert page.status_code == 429
    assert "must wait its turn" in page.content.decode()


def test_ordinary_queries_never_wait_for_a_long_one(client, small_corpus, slot_taken):
    response = client.get("/api/search", {"q": "distrust -word1"})
    assert response.status_code == 200
    assert response.json()["total"] == 1


def test_a_long_query_runs_when_a_slot_is_free(client, small_corpus, settings):
    settings.GLOSS_SEARCH_HEAVY_SLOTS = 2
    with gate.heavy_turn(HEAVY) as allowed:  # one of two slots taken
        assert allowed
        response = client.get("/api/search", {"q": HEAVY})
    assert response.status_code == 200
    assert response.json()["total"] == 1
