"""Search in the current project only, through the page, the API and the command.

A member of project A who searches for a word that only project B has must
learn nothing: the answer is the answer to a word that exists nowhere, apart
from the query echoed back. (The engines' own two-project tests are in
``tests/search/contract.py``; these check the layers above them.)
"""

from __future__ import annotations

import json
import re
from html import escape
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import Project
from accounts.roles import Role
from accounts.services import api_token_issue
from corpus.models import Document
from search.backend import get_backend
from search.services import search_paragraphs
from tests.factories import (
    DocumentFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    first_project,
)

pytestmark = pytest.mark.django_db

NOWHERE = "qqqxqqq"  # a word no project has
# Words of B only: as typed, a typo of one, a prefix, a phrase.
B_QUERIES = ["zeppelin", "zeppelinn", "zeppel*", '"secret airfield"']


@pytest.fixture
def project_b(small_corpus: Document) -> Project:
    """Project B beside the small corpus (in A, the first project): the same
    words as A, a document slug A has too, and words only B has."""
    project = ProjectFactory(name="Study B", slug="study-b")
    twin = DocumentFactory(
        project=project, source_name="000_obstacles.txt", slug="000-obstacles"
    )
    ParagraphFactory(document=twin, text="Security cooperation grew after 2001.")
    secret = DocumentFactory(
        project=project,
        source_name="secret_plan.txt",
        slug="secret-plan",
        title="The Zeppelin Papers",
    )
    ParagraphFactory(document=secret, text="Zeppelin hangars by the secret airfield.")
    ParagraphFactory(document=secret, text="The zeppelin again.", kind="footnote")
    get_backend().rebuild()
    return project


def api(client: Client, **params: object) -> dict[str, object]:
    response = client.get("/api/search", params)
    assert response.status_code == 200, response.content
    return response.json()


def page(client: Client, echo: str, **params: object) -> str:
    """The search page's HTML, with ``echo`` (the query or filter value sent)
    and the per-response CSRF token blanked."""
    response = client.get("/search/", params)
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(
        r'(csrfmiddlewaretoken" value=|csrf-token" content=)"[^"]*"', r"\1", html
    )
    return html.replace(escape(echo), "ECHO").replace(echo, "ECHO")


@pytest.mark.parametrize("query", B_QUERIES)
def test_the_api_answers_another_projects_words_as_words_from_nowhere(
    client, project_b, query: str
) -> None:
    found, nowhere = api(client, q=query), api(client, q=NOWHERE)
    assert found.pop("query") == query and nowhere.pop("query") == NOWHERE
    assert found == nowhere
    assert (found["total"], found["corrected_query"]) == (0, None)


@pytest.mark.parametrize("query", B_QUERIES)
def test_the_page_answers_another_projects_words_as_words_from_nowhere(
    client, project_b, query: str
) -> None:
    assert page(client, query, q=query) == page(client, NOWHERE, q=NOWHERE)


def test_another_projects_document_name_is_echoed_as_typed(client, project_b):
    """Filter names resolve to slugs within the project: B's source name is
    kept as typed, as an unknown one is (not turned into B's slug)."""
    for name in ("secret_plan.txt", "secret-plan"):
        params = {"q": "", "document": name}
        assert page(client, name, **params) == page(
            client, "nowhere_plan.txt", q="", document="nowhere_plan.txt"
        )
        assert api(client, **params) == api(client, q="", document="no_such.txt")
        assert api(client, q=f"document:{name}")["total"] == 0


def test_shared_words_find_the_projects_own_records_only(client, project_b):
    data = api(client, q="cooperation", page_size=100)
    assert data["total"] == 3  # the small corpus's three, not B's
    documents = {hit["paragraph"]["document"] for hit in data["results"]}
    assert documents == {"000-obstacles"}
    # B has a document with the same slug: A's title labels the facet.
    assert data["facets"]["document"] == [
        {
            "value": "000-obstacles",
            "label": "Obstacles for Security Cooperation",
            "count": 3,
        }
    ]
    html = page(client, "cooperation", q="cooperation")
    assert "3 results" in html and "Zeppelin" not in html


def test_a_member_of_b_searches_b(project_b):
    member = UserFactory(role=Role.VIEWER, role__project=project_b)
    client = Client()
    client.force_login(member)
    data = api(client, q="zeppelin")
    assert data["total"] == 2
    assert api(client, q="cooperation")["total"] == 1
    assert api(client, q="zeppelinn")["corrected_query"] == "zeppelin"
    assert api(client, q="perimeter")["total"] == 0  # A's word, unknown in B
    token, _ = api_token_issue(user=member, project=project_b)
    scripted = Client().get(
        "/api/search", {"q": "zeppelin"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert scripted.json()["total"] == 2


def test_the_token_searches_its_own_project(project_b):
    """A person in both projects: each token searches the project it was made in."""
    person = UserFactory(role=Role.VIEWER)
    from accounts.services import membership_set

    membership_set(user=person, project=project_b, role=Role.VIEWER)
    for project, expected in ((first_project(), 0), (project_b, 2)):
        token, _ = api_token_issue(user=person, project=project)
        response = Client().get(
            "/api/search", {"q": "zeppelin"}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.json()["total"] == expected, project


def test_the_command_searches_the_named_project(project_b):
    def run(*args: str) -> dict[str, object]:
        out = StringIO()
        call_command("search", *args, "--json", stdout=out)
        return json.loads(out.getvalue())

    assert run("zeppelin")["total"] == 0  # the first project by default
    assert run("zeppelin", "--project", "study-b")["total"] == 2
    assert run("cooperation", "--project", "Study B")["total"] == 1
    with pytest.raises(CommandError, match="No project 'nope'"):
        run("zeppelin", "--project", "nope")


def test_the_service_needs_a_project(small_corpus):
    with pytest.raises(TypeError):
        search_paragraphs(query="cooperation")  # type: ignore[call-arg]


def test_exports_and_passages_gather_hits_in_the_project_they_name(project_b):
    """``annotations.exports.options.search_hits`` (the export page's and the
    passages page's query) searches the project it is given; without one, the
    first project, as un-scoped commands do."""
    from annotations.exports.options import search_hits

    assert len(search_hits(project_b, "zeppelin")) == 2
    assert search_hits(first_project(), "zeppelin") == frozenset()
    assert len(search_hits(first_project(), "cooperation")) == 3
