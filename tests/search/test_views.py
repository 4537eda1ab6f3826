"""The search page: home of the site, bookmarkable, htmx partial updates,
escaped highlights, links that open the reading page at the hit."""

from __future__ import annotations

import re

import pytest

from search.backend import get_backend
from tests.factories import ParagraphFactory

pytestmark = pytest.mark.django_db


def test_home_is_the_search_page_with_the_documents_in_reach(client, db):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'name="q"' in html
    assert 'href="/documents/"' in html
    assert "/static/django_htmx/htmx" in html  # served locally, no CDN
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_results_page(client, small_corpus):
    response = client.get("/search/", {"q": "cooperation"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 results" in html
    assert 'href="/documents/000-obstacles/?hl=2#p-2"' in html
    assert re.search(r"<mark[^>]*>cooperation</mark>", html, re.I)


def test_htmx_requests_get_only_the_changing_part(client, small_corpus):
    response = client.get("/search/", {"q": "cooperation"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="search"' in html and "<html" not in html
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        "/search/",
        {"q": "cooperation"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in restore.content.decode()  # history restore needs the page


def test_facets_narrow_and_active_filters_can_be_removed(client, small_corpus):
    html = client.get("/search/", {"q": "cooperation"}).content.decode()
    narrow = re.search(r'href="(\?q=cooperation&amp;kind=footnote)"', html)
    assert narrow, "a facet link adds the filter to the URL"
    narrowed = client.get(
        "/search/" + narrow.group(1).replace("&amp;", "&")
    ).content.decode()
    assert "1 result" in narrowed
    assert 'href="?q=cooperation"' in narrowed  # remove the filter again
    assert (
        '<input type="hidden" name="kind" value="footnote">' in narrowed
    )  # kept on resubmit


def test_pagination_links(client, small_corpus):
    for n in range(25):
        ParagraphFactory(document=small_corpus, position=100 + n, text=f"trust {n}")
    get_backend().rebuild()
    html = client.get("/search/", {"q": "trust"}).content.decode()
    assert 'href="?q=trust&amp;page=2"' in html
    second = client.get("/search/", {"q": "trust", "page": 2}).content.decode()
    assert 'href="?q=trust"' in second and "page 2 of 2" in second


def test_malformed_query_shows_a_message(client, small_corpus):
    response = client.get("/search/", {"q": '"unclosed'})
    assert response.status_code == 400
    assert "quotation mark is not closed" in response.content.decode()


def test_deeply_nested_query_shows_a_message(client, small_corpus):
    response = client.get("/search/", {"q": "(" * 30 + "trust" + ")" * 30})
    assert response.status_code == 400
    assert "nests too deeply" in response.content.decode()


def test_correction_is_announced(client, small_corpus):
    html = client.get("/search/", {"q": "distrst"}).content.decode()
    assert 'showing results for <q><a href="?q=distrust">distrust</a></q>' in html


def test_script_in_a_paragraph_is_escaped_on_the_page(client, small_corpus):
    ParagraphFactory(
        document=small_corpus,
        position=50,
        text='<script>alert("x")</script> <img src=x onerror=alert(1)> trust',
    )
    get_backend().rebuild()
    for q in ("trust", "script", "img", '"alert x"', "trus*"):
        html = client.get("/search/", {"q": q}).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, q
        assert "&lt;script&gt;" in html or "&lt;<mark" in html, q


def test_reading_page_marks_the_hit(client, small_corpus):
    html = client.get("/documents/000-obstacles/", {"hl": 3}).content.decode()
    assert re.search(r'id="p-3" class="record paragraph marked"', html)
    assert html.count(' marked"') == 1
    plain = client.get("/documents/000-obstacles/").content.decode()
    assert ' marked"' not in plain


def test_no_results_is_a_message_not_a_numbered_result(client, small_corpus):
    html = client.get("/search/", {"q": "zzyzx"}).content.decode()
    assert '<p class="empty">Nothing matches.' in html
    assert 'class="hit-list"' not in html  # not numbered as result 1
    filtered = client.get("/search/", {"q": "zzyzx", "kind": "footnote"})
    assert "within the chosen filters" in filtered.content.decode()
