"""The analysis pages see the current project only.

Project A is the known coding of conftest.py (the first project). Project B
has the same theme names and slugs (and two of its own: Suspicion under
Distrust, Secrecy), a document with A's slug and text (``alpha``) and one of
its own (``gamma``, records in French), coders of its own (``bea``) and one
shared with A (``ben``, an annotator in both), and memos. Adding B changes
not one byte of any analysis page or download of A; B's own slugs in A's
query strings are answered exactly as names that do not exist; a person in
no project sees nothing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts import services as accounts_services
from accounts.roles import Role
from analysis import selectors
from analysis.selectors import PassageFilters
from annotations import services
from annotations.models import Memo, TaggedAnnotation
from tests.analysis.conftest import TEXTS
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ProjectFactory,
    ThemeFactory,
    UserFactory,
    first_project,
)

pytestmark = pytest.mark.django_db

# Every analysis page and download, with filters that a leak would change:
# themes B shares by slug (and whose tree differs), the shared coder, the
# shared document slug, languages (B's gamma is French), memo searches.
A_PAGES = [
    "/analysis/passages/",
    "/analysis/passages/?theme=distrust",
    "/analysis/passages/?theme=distrust&theme=sovereignty&mode=and",
    "/analysis/passages/?theme=distrust&theme=sovereignty&mode=and&within=paragraph",
    "/analysis/passages/?group=theme",
    "/analysis/passages/?group=theme&theme=distrust",
    "/analysis/passages/?coder=ben",
    "/analysis/passages/?document=alpha&order=newest",
    "/analysis/passages/?q=trust",
    "/analysis/passages/?query=trust",
    "/analysis/passages/?language=en&kind=paragraph&since=2000-01-01",
    "/analysis/matrix/",
    "/analysis/matrix/?measure=share",
    "/analysis/matrix/?by=coder",
    "/analysis/co-occurrence/",
    "/analysis/co-occurrence/?measure=passage",
    "/analysis/codeline/",
    "/analysis/codeline/alpha/",
    "/analysis/charts/",
    "/analysis/charts/?chart=themes&format=csv",
    "/analysis/charts/?chart=documents&format=csv",
    "/analysis/charts/?chart=coders&format=csv",
    "/analysis/kwic/",
    "/analysis/kwic/?keyword=trust",
    "/analysis/kwic/?keyword=trust&scope=passages",
    "/analysis/kwic/?keyword=trust&theme=distrust&document=alpha",
    "/analysis/kwic/?keyword=trust&coder=ben&scope=passages&format=csv",
    "/analysis/kwic/?keyword=trust&format=csv",
    "/analysis/memos/",
    "/analysis/memos/?subject=theme",
    "/analysis/memos/?subject=document",
    "/analysis/memos/?subject=passage",
    "/analysis/memos/?subject=project",
    "/analysis/memos/?q=secret",
]

GAMMA = [
    "La confiance entre voisins est rare; trust, disent-ils, se mérite.",
    "Le secret des données protège la souveraineté.",
]


def rendered(client: Any, url: str) -> tuple[int, str]:
    """Status and body, the per-request CSRF token left out."""
    response = client.get(url)
    body = response.content.decode()
    return response.status_code, re.sub(r'value="[A-Za-z0-9]{64}"', "", body)


def build_project_b(coded: dict[str, Any]) -> dict[str, Any]:
    """Project B (see the module's docstring); returns its people and rows."""
    project = ProjectFactory(name="Other study")
    ben = coded["people"].other
    accounts_services.membership_set(user=ben, project=project, role=Role.ANNOTATOR)
    bea = UserFactory(username="bea", role=Role.ANNOTATOR, role__project=project)
    themes = {
        slug: ThemeFactory(project=project, slug=slug, name=slug.capitalize())
        for slug in ("sovereignty", "distrust", "bilateralism", "secrecy")
    }
    for slug in ("mistrust", "suspicion"):
        themes[slug] = ThemeFactory(
            project=project,
            slug=slug,
            name=slug.capitalize(),
            parent=themes["distrust"],
        )
    records = {}
    for slug, texts, lang in (("alpha", TEXTS["alpha"], "en"), ("gamma", GAMMA, "fr")):
        document = DocumentFactory(
            project=project, slug=slug, source_name=f"{slug}.txt", title=slug.title()
        )
        records[slug] = [
            ParagraphFactory(document=document, position=i, text=text, lang=lang)
            for i, text in enumerate(texts)
        ]
    coding = [
        (records["alpha"][0], bea, ["distrust", "sovereignty"]),
        (records["alpha"][1], ben, ["suspicion", "sovereignty"]),
        (records["alpha"][2], ben, ["distrust"]),
        (records["alpha"][3], bea, ["mistrust", "bilateralism"]),
        (records["gamma"][0], bea, ["secrecy", "suspicion"]),
        (records["gamma"][1], ben, ["secrecy", "sovereignty"]),
    ]
    passages = [
        AnnotationFactory(paragraph=p, author=a, themes=[themes[s] for s in slugs])
        for p, a, slugs in coding
    ]
    memo = services.memo_create(
        author=ben,
        project=project,
        text="Secret: B's distrust.",
        theme=themes["distrust"],
    )
    services.memo_create(author=bea, project=project, text="Secret B journal.")
    services.memo_create(
        author=bea,
        project=project,
        text="Secret note on alpha in B.",
        document=records["alpha"][0].document,
    )
    services.memo_create(
        author=bea, project=project, text="Secret passage note.", annotation=passages[0]
    )
    return {
        "project": project,
        "bea": bea,
        "themes": themes,
        "records": records,
        "passages": passages,
        "memo": memo,
    }


def a_memos(coded: dict[str, Any], themes: dict) -> None:
    """A memo of each kind in A, so A's memo pages are not empty."""
    ana, project = coded["people"].annotator, first_project()
    alpha = coded["records"]["alpha"][0].document
    services.memo_create(
        author=ana, project=project, text="A on distrust.", theme=themes["distrust"]
    )
    services.memo_create(
        author=ana, project=project, text="A on alpha.", document=alpha
    )
    services.memo_create(author=ana, project=project, text="A journal.")
    services.memo_create(
        author=ana,
        project=project,
        text="A passage.",
        annotation=coded["annotations"][3],
    )


@pytest.fixture
def with_b(coded, themes) -> dict[str, Any]:
    a_memos(coded, themes)
    return {**coded, "b": build_project_b(coded)}


def test_another_project_changes_nothing_on_any_page_of_a(signed_in, coded, themes):
    a_memos(coded, themes)
    client = signed_in(coded["people"].viewer)
    before = {url: rendered(client, url) for url in A_PAGES}
    assert {status for status, _ in before.values()} == {200}
    build_project_b(coded)
    after = {url: rendered(client, url) for url in A_PAGES}
    changed = [url for url in A_PAGES if after[url] != before[url]]
    assert changed == []


def test_b_members_see_b_on_the_same_pages(signed_in, with_b):
    """Not a vacuous comparison: B's material is there, for B's members."""
    b = with_b["b"]
    bea = signed_in(b["bea"])
    _, passages = rendered(bea, "/analysis/passages/")
    assert 'id="passage-total">6<' in passages
    _, matrix = rendered(bea, "/analysis/matrix/")
    assert "Gamma" in matrix and "Suspicion" in matrix
    _, memos = rendered(bea, "/analysis/memos/?q=secret")
    assert memos.count('class="memo"') == 4
    _, kwic = rendered(bea, "/analysis/kwic/?keyword=trust&document=gamma")
    assert 'id="kwic-total">1<' in kwic
    vera = signed_in(with_b["people"].viewer)
    for url in ("/analysis/matrix/", "/analysis/charts/", "/analysis/codeline/"):
        _, html = rendered(vera, url)
        assert "Gamma" not in html and "Suspicion" not in html, url


def test_a_shared_coder_sees_each_project_apart(signed_in, with_b):
    """Ben codes in both: in A (his first project) his filter, counts and
    coder column are A's; the coder choices are the project's coders."""
    ben = signed_in(with_b["people"].other)
    _, html = rendered(ben, "/analysis/passages/?coder=ben")
    assert 'id="passage-total">3<' in html  # 2, 4, 6 of conftest.py
    _, choices = rendered(ben, "/analysis/passages/")
    coders = re.findall(r'<option value="([a-z]+)">', choices)
    assert [c for c in coders if c in ("ana", "ben", "bea", "vera")] == ["ana", "ben"]


@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        # B's own theme, document and coder are no choice of A's filters
        ("/analysis/passages/?theme=secrecy", "/analysis/passages/?theme=nope"),
        ("/analysis/passages/?theme=suspicion", "/analysis/passages/?theme=nope"),
        ("/analysis/passages/?document=gamma", "/analysis/passages/?document=nope"),
        ("/analysis/passages/?coder=bea", "/analysis/passages/?coder=nope"),
        (
            "/analysis/kwic/?keyword=trust&document=gamma",
            "/analysis/kwic/?keyword=trust&document=nope",
        ),
        (
            "/analysis/kwic/?keyword=trust&theme=secrecy&format=csv",
            "/analysis/kwic/?keyword=trust&theme=nope&format=csv",
        ),
        ("/analysis/codeline/gamma/", "/analysis/codeline/nope/"),
    ],
)
def test_b_slugs_in_a_query_string_are_unknown(signed_in, with_b, url, unknown):
    client = signed_in(with_b["people"].viewer)
    status, body = rendered(client, url)
    unknown_status, unknown_body = rendered(client, unknown)
    assert status == unknown_status and status in (400, 404)
    for name in ("secrecy", "suspicion", "gamma", "bea"):
        body = body.replace(name, "nope")
    assert body == unknown_body


@pytest.mark.parametrize(
    "subject",
    ["theme:secrecy", "theme:suspicion", "document:gamma", "passage:{b_passage}"],
)
def test_a_memo_cannot_be_about_b(signed_in, with_b, subject):
    b = with_b["b"]
    subject = subject.format(b_passage=b["passages"][0].pk)
    kind, _, key = subject.partition(":")
    count = Memo.objects.count()
    ben = signed_in(with_b["people"].other)  # an annotator in both, working in A
    response = ben.post("/analysis/memos/new/", {"subject": subject, "text": "x"})
    assert response.status_code == 400
    assert f"There is no {kind} “{key}”." in response.content.decode()
    assert Memo.objects.count() == count


def test_a_memo_on_a_shared_slug_is_about_a(signed_in, with_b):
    ana = signed_in(with_b["people"].annotator)
    ana.post("/analysis/memos/new/", {"subject": "theme:distrust", "text": "In A."})
    ana.post("/analysis/memos/new/", {"subject": "document:alpha", "text": "Alpha A."})
    a = first_project()
    assert Memo.objects.get(text="In A.").theme.project == a
    assert Memo.objects.get(text="Alpha A.").document.project == a


def test_b_memo_cannot_be_deleted_from_a(signed_in, with_b):
    """Ben wrote it (in B); while he works in A it is not there: a 404."""
    memo = with_b["b"]["memo"]
    ben = signed_in(with_b["people"].other)
    assert ben.post(f"/analysis/memos/{memo.pk}/delete/").status_code == 404
    assert Memo.objects.filter(pk=memo.pk).exists()


def test_a_person_in_no_project_gets_the_403_page(signed_in, with_b):
    client = signed_in(with_b["people"].nobody)
    for url in [*A_PAGES, "/analysis/", "/analysis/codeline/gamma/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"belongs to no project" in response.content, url
    memo = with_b["b"]["memo"]
    assert client.post(f"/analysis/memos/{memo.pk}/delete/").status_code == 403
    assert Memo.objects.filter(pk=memo.pk).exists()


def test_no_project_means_nothing_in_every_selector(with_b):
    b = with_b["b"]
    distrust = b["themes"]["distrust"]
    everything = PassageFilters()
    assert not selectors.coded_passages(None, everything).exists()
    assert not selectors.passages_matching(None, PassageFilters([distrust])).exists()
    assert not selectors.passage_listing(None, everything, "theme").exists()
    assert selectors.slugs_with_descendants(None, [distrust]) == []
    for by in selectors.MATRIX_COLUMNS:
        built = selectors.code_matrix(None, by, shares=by == "document")
        assert (built.rows, built.columns, built.cells) == ([], [], {})
    for measure in ("paragraph", "passage"):
        assert selectors.co_occurrence(None, measure).cells == {}
    assert selectors.codelines(None) == ([], {})
    assert [chart.groups for chart in selectors.all_charts(None)] == [[], [], []]
    assert not selectors.memos(None).exists()
    for scope in ("corpus", "passages"):
        assert selectors.concordance(None, "trust", scope, everything).lines == []


def test_a_theme_of_another_codebook_selects_nothing(with_b):
    """A selector given B's theme in A's project (a caller's mistake) finds
    no passage rather than B's."""
    secrecy = with_b["b"]["themes"]["secrecy"]
    found = selectors.passages_matching(first_project(), PassageFilters([secrecy]))
    assert not found.exists()


def counted(client: Any, url: str) -> tuple[int, str]:
    """What a page counts: the whole body, but on the passages pages (which
    show each passage's themes as stored) the totals line and the group
    headings."""
    status, body = rendered(client, url)
    if url.startswith("/analysis/passages/"):
        found = re.findall(r'<p class="result-count".*?</p>|<h2>[^<]*</h2>', body, re.S)
        body = "\n".join(found)
    return status, body


def test_a_foreign_theme_on_a_passage_never_counts(signed_in, coded, themes):
    """Even a tagging row the services would never write (A's passage, B's
    theme) is in no count, column, heading or download of A."""
    a_memos(coded, themes)
    client = signed_in(coded["people"].viewer)
    before = {url: counted(client, url) for url in A_PAGES}
    b = build_project_b(coded)
    TaggedAnnotation.objects.create(
        content_object=coded["annotations"][6], tag=b["themes"]["secrecy"]
    )
    after = {url: counted(client, url) for url in A_PAGES}
    changed = [url for url in A_PAGES if after[url] != before[url]]
    # Grouped by theme and filtered on none, a passage is listed under each
    # theme it carries: only there does such a row show (selectors._theme_pairs).
    assert changed == ["/analysis/passages/?group=theme"]
