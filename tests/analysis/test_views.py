"""The analysis pages: what they show on the known coding, that every cell
link lists exactly the passages it counts, a bounded number of queries, bad
input as a 400 with a message, memos, and the KWIC CSV."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Activity, Memo
from tests.factories import AnnotationFactory, first_project

pytestmark = pytest.mark.django_db


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def cell_links(html: str, table_id: str) -> list[tuple[str, int]]:
    """(href, count) of every linked cell of the table."""
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    return [
        (unescape(href), int(count))
        for href, count in re.findall(r'<a href="([^"]+)" data-count="(\d+)"', table)
    ]


def listed(client, url) -> tuple[int, int]:
    """(passages listed, total shown) on a coded-passages page."""
    html = page(client, url)
    total = int(re.search(r'id="passage-total">(\d+)<', html).group(1))
    return html.count('class="passage"'), total


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("/analysis/matrix/", "matrix"),
        ("/analysis/matrix/?by=coder", "matrix"),
        ("/analysis/co-occurrence/?measure=passage", "co-occurrence"),
    ],
)
def test_every_cell_links_to_exactly_its_passages(signed_in, coded, url, table):
    client = signed_in(coded["people"].viewer)
    links = cell_links(page(client, url), table)
    assert len(links) >= 8
    for href, count in links:
        shown, total = listed(client, href)
        assert shown == total == count, href


def test_paragraph_co_occurrence_cells_count_paragraphs(signed_in, coded):
    client = signed_in(coded["people"].viewer)
    links = dict(cell_links(page(client, "/analysis/co-occurrence/"), "co-occurrence"))
    pair = (
        "/analysis/passages/?theme=distrust&theme=sovereignty&mode=and&within=paragraph"
    )
    assert links[pair] == 2  # A0 and B0
    html = page(client, pair)
    assert "3</strong> passages in 2 paragraphs" in html  # 1 and 2 in A0, 5 in B0


def test_passages_page_shows_quote_citation_and_reader_link(signed_in, coded):
    client = signed_in(coded["people"].viewer)
    html = page(
        client, "/analysis/passages/?theme=distrust&theme=bilateralism&mode=and"
    )
    assert html.count('class="passage"') == 1
    assert "<mark>Bilateral trust was built slowly at the border.</mark>" in html
    assert (
        "Ana Ortiz, Ben Clarke (2011), <cite>Alpha</cite>, § Introduction, p. 2" in html
    )
    assert 'href="/documents/alpha/?hl=1#p-1"' in html
    split = page(client, "/analysis/passages/?coder=ana&document=alpha&theme=distrust")
    # Passage 1 is the first 10 characters of A0: the rest is context.
    assert '<mark>Trust betw</mark><span class="context">een allies' in split


def test_pages_queries_do_not_grow_with_rows(signed_in, coded, themes):
    client = signed_in(coded["people"].viewer)
    urls = ["/analysis/passages/", "/analysis/matrix/", "/analysis/co-occurrence/"]
    urls += ["/analysis/codeline/", "/analysis/kwic/?keyword=trust&scope=passages"]
    urls += ["/analysis/passages/?group=theme&order=newest"]
    client.get(urls[0])  # the session and role cache
    before = {url: _queries(client, url) for url in urls}
    record = coded["records"]["beta"][1]
    for _ in range(10):
        AnnotationFactory(paragraph=record, themes=[themes["distrust"]])
    assert {url: _queries(client, url) for url in urls} == before
    assert max(before.values()) <= 12, before


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/analysis/passages/?theme=nope", "nope is not one of the available choices"),
        ("/analysis/passages/?coder=nobody", "nobody is not one of the available"),
        ("/analysis/passages/?mode=xor", "xor is not one of the available choices"),
        ("/analysis/matrix/?by=year", "by must be document or coder"),
        ("/analysis/co-occurrence/?measure=x", "measure must be paragraph or passage"),
        ("/analysis/kwic/?keyword=a", "at least 2 characters"),
        ("/analysis/kwic/?keyword=--", "needs a letter or a digit"),
        ("/analysis/kwic/?keyword=trust&sort=middle", "middle is not one of the"),
        ("/analysis/memos/?subject=planet", "subject must be one of"),
    ],
)
def test_bad_input_is_a_400_that_says_why(signed_in, coded, url, message):
    html = page(signed_in(coded["people"].viewer), url, status=400)
    assert message in unescape(html)


def test_codeline_pages(signed_in, coded):
    client = signed_in(coded["people"].viewer)
    one = page(client, "/analysis/codeline/alpha/")
    distrust = one[one.index('data-theme="distrust"') :]
    distrust = distrust[: distrust.index("</svg>")]
    assert re.findall(r'data-position="(\d+)"', distrust) == ["0", "1", "3"]
    assert 'href="/documents/alpha/?hl=3#p-3"' in distrust
    corpus = page(client, "/analysis/codeline/")
    assert corpus.count('class="codeline"') == 2
    page(client, "/analysis/codeline/gamma/", status=404)


def test_kwic_page_sorts_and_downloads_csv(signed_in, coded):
    client = signed_in(coded["people"].viewer)
    html = page(client, "/analysis/kwic/?keyword=trust&sort=right")
    rights = re.findall(r'<td class="kwic-right">([^<]*)</td>', html)
    assert [r.strip()[:4] for r in map(unescape, rights)] == [
        ", th",
        "at a",
        "betw",
        "in c",
        "was ",
        "woul",
    ]
    assert 'href="?keyword=trust&amp;sort=left"' in html
    response = client.get("/analysis/kwic/?keyword=trust&scope=passages&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["document", "record", "left", "keyword", "right", "link"]
    assert rows[1] == ["alpha", "0", "", "Trust", " betw", "/documents/alpha/?hl=0#p-0"]
    assert len(rows) == 6
    assert page(client, "/analysis/kwic/").count('id="kwic"') == 0  # the form only


def test_memos_written_listed_and_deleted(signed_in, coded):
    people = coded["people"]
    ana = signed_in(people.annotator)
    response = ana.post(
        "/analysis/memos/new/",
        {"subject": "theme:distrust", "text": "Distrust is old."},
    )
    assert response.status_code == 302
    ana.post("/analysis/memos/new/", {"subject": "", "text": "Journal: day one."})
    passage = coded["annotations"][3].pk
    ana.post("/analysis/memos/new/", {"subject": f"passage:{passage}", "text": "Key."})
    memo = Memo.objects.get(theme__slug="distrust")
    assert (memo.author, memo.text) == (people.annotator, "Distrust is old.")
    listing = page(signed_in(people.viewer), "/analysis/memos/?subject=project")
    assert "Journal: day one." in listing and "Distrust is old." not in listing
    found = page(signed_in(people.viewer), "/analysis/memos/?q=OLD")
    assert "Distrust is old." in found and "Journal" not in found
    refused = signed_in(people.other).post(f"/analysis/memos/{memo.pk}/delete/")
    assert refused.status_code == 403
    ana.post(f"/analysis/memos/{memo.pk}/delete/")
    assert not Memo.objects.filter(pk=memo.pk).exists()
    verbs = list(Activity.objects.values_list("verb", flat=True))
    assert verbs.count("memo-written") == 3 and verbs.count("memo-deleted") == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "theme:nope", "text": "x"}, "There is no theme “nope”."),
        ({"subject": "planet:mars", "text": "x"}, "Write the subject as theme:"),
        ({"subject": "passage:abc", "text": "x"}, "There is no passage “abc”."),
        ({"subject": "", "text": "   "}, "This field is required."),
        ({"subject": "", "text": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_memos_are_refused_with_a_message(signed_in, coded, data, message):
    response = signed_in(coded["people"].annotator).post("/analysis/memos/new/", data)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert not Memo.objects.exists()


def test_viewers_cannot_write_memos(signed_in, coded):
    response = signed_in(coded["people"].viewer).post(
        "/analysis/memos/new/", {"text": "mine"}
    )
    assert response.status_code == 403 and not Memo.objects.exists()


def test_site_navigation_links_the_workspace(signed_in, coded):
    html = page(signed_in(coded["people"].viewer), "/analysis/")
    assert '<a href="/analysis/">Analysis</a>' in html
    for url in ("passages", "matrix", "co-occurrence", "codeline", "kwic", "memos"):
        assert f'href="/analysis/{url}/"' in html


def test_export_link_carries_the_filters(signed_in, coded):
    html = page(
        signed_in(coded["people"].viewer),
        "/analysis/passages/?theme=distrust&coder=ana&document=alpha&mode=and",
    )
    # the sub-theme named too: the export does not roll a theme up
    expected = (
        "/export/?theme=distrust&amp;theme=mistrust&amp;user=ana&amp;document=alpha"
    )
    assert f'href="{expected}"' in html


def test_theme_page_lists_its_memos(signed_in, coded):
    from annotations import services
    from annotations.models import Theme

    distrust = Theme.objects.get(slug="distrust")
    services.memo_create(
        project=first_project(),
        author=coded["people"].annotator,
        text="Old.",
        theme=distrust,
    )
    html = page(signed_in(coded["people"].viewer), "/codebook/distrust/")
    assert "<p>Old.</p>" in html


def test_passages_newest_first(signed_in, coded):
    html = page(signed_in(coded["people"].viewer), "/analysis/passages/?order=newest")
    shown = [int(pk) for pk in re.findall(r'data-annotation="(\d+)"', html)]
    by_pk = {a.pk: n for n, a in coded["annotations"].items()}
    assert [by_pk[pk] for pk in shown] == [6, 5, 4, 3, 2, 1]
    assert 'class="passage-group"' not in html


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("theme", ["On a theme."]),
        ("document", ["On a document."]),
        ("passage", ["On a passage."]),
        ("project", ["In the journal."]),
        ("", ["In the journal.", "On a passage.", "On a document.", "On a theme."]),
    ],
)
def test_memos_filter_by_subject(signed_in, coded, themes, subject, shown):
    from annotations import services
    from corpus.models import Document

    ana = coded["people"].annotator
    services.memo_create(
        project=first_project(),
        author=ana,
        text="On a theme.",
        theme=themes["distrust"],
    )
    alpha = Document.objects.get(slug="alpha")
    services.memo_create(
        project=first_project(), author=ana, text="On a document.", document=alpha
    )
    passage = coded["annotations"][1]
    services.memo_create(
        project=first_project(), author=ana, text="On a passage.", annotation=passage
    )
    services.memo_create(project=first_project(), author=ana, text="In the journal.")
    html = page(
        signed_in(coded["people"].viewer), f"/analysis/memos/?subject={subject}"
    )
    texts = re.findall(r'<div class="memo-text"><p>([^<]+)</p>', html)
    assert texts == shown  # newest first


def test_the_journal_has_its_own_heading_and_link(signed_in, coded):
    from annotations import services

    ana = coded["people"].annotator
    services.memo_create(project=first_project(), author=ana, text="Journal: day one.")
    services.memo_create(project=first_project(), author=ana, text="Journal: day two.")
    client = signed_in(coded["people"].viewer)
    everything = page(client, "/analysis/memos/")
    assert '<a href="?subject=project" id="journal-link">' in everything
    journal = page(client, "/analysis/memos/?subject=project&q=two")
    assert '<h2 id="memo-list-heading">Research journal containing “two”</h2>' in (
        journal
    )
    texts = re.findall(r'<div class="memo-text"><p>([^<]+)</p>', journal)
    assert texts == ["Journal: day two."]
    assert 'id="journal-link"' not in journal
