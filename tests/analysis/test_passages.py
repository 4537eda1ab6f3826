"""The coded passages page's further filters on the known coding of
tests/analysis/conftest.py (the record's language and kind, when a passage
was made, a search query), its grouping and orders, and the "export these"
link, which must select exactly the passages the page lists."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape

import pytest

from annotations.models import Annotation
from corpus.models import Paragraph

pytestmark = pytest.mark.django_db


def numbers(client, url: str, status: int = 200) -> list[int]:
    """The known numbers (1-7) of the passages listed, in order."""
    response = client.get(url)
    assert response.status_code == status, (url, response.content.decode()[:500])
    html = response.content.decode()
    keys = [int(pk) for pk in re.findall(r'data-annotation="(\d+)"', html)]
    by_pk = {a.pk: n for n, a in client.coded["annotations"].items()}
    return [by_pk[key] for key in keys]


@pytest.fixture
def client(signed_in, coded):
    client = signed_in(coded["people"].viewer)
    client.coded = coded
    return client


def made_on(coded, when: dict[int, datetime]) -> None:
    for number, moment in when.items():
        pk = coded["annotations"][number].pk
        Annotation.objects.filter(pk=pk).update(created=moment)


DATES = {
    1: datetime(2026, 1, 10, 9, tzinfo=UTC),
    2: datetime(2026, 2, 1, tzinfo=UTC),
    3: datetime(2026, 2, 28, 23, 59, tzinfo=UTC),
    4: datetime(2026, 3, 1, tzinfo=UTC),
    5: datetime(2026, 1, 5, tzinfo=UTC),
    6: datetime(2026, 4, 2, tzinfo=UTC),
}


def test_language_of_the_record(client, coded):
    Paragraph.objects.filter(document__slug="beta").update(lang="fr")
    assert numbers(client, "/analysis/passages/?language=fr") == [5, 6]
    assert numbers(client, "/analysis/passages/?language=en") == [1, 2, 3, 4]
    html = client.get("/analysis/passages/").content.decode()
    assert '<option value="fr">fr</option>' in html


def test_an_unknown_language_is_a_400_that_says_so(client, coded):
    response = client.get("/analysis/passages/?language=xx")
    assert response.status_code == 400
    assert "Language of the record: Select a valid choice" in unescape(
        response.content.decode()
    )


def test_kind_of_record(client, coded):
    Paragraph.objects.filter(pk=coded["records"]["alpha"][3].pk).update(kind="heading")
    assert numbers(client, "/analysis/passages/?kind=heading") == [4]
    assert numbers(client, "/analysis/passages/?kind=heading&kind=paragraph") == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert client.get("/analysis/passages/?kind=chapter").status_code == 400


def test_date_range_is_inclusive_on_both_ends(client, coded):
    made_on(coded, DATES)
    url = "/analysis/passages/?since=2026-02-01&until=2026-02-28"
    assert numbers(client, url) == [2, 3]  # 3 at 23:59 on the last day
    assert numbers(client, "/analysis/passages/?since=2026-03-01") == [4, 6]
    assert numbers(client, "/analysis/passages/?until=2026-01-10") == [1, 5]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-03-01&until=2026-02-01", "“Coded from” is after “Coded to”."),
        ("since=01/02/2026", "Coded from: Enter a valid date."),
        ('query=title:"unclosed', "Search query:"),
    ],
)
def test_bad_dates_and_queries_are_400_with_a_message(client, coded, query, message):
    response = client.get(f"/analysis/passages/?{query}")
    assert response.status_code == 400
    assert message in unescape(response.content.decode())


def test_search_query_keeps_passages_in_the_records_it_finds(client, coded):
    # "border" is only in A1; "trust" in every record but B1 (trade).
    assert numbers(client, "/analysis/passages/?query=border") == [3]
    assert numbers(client, "/analysis/passages/?query=accords") == []  # B1: orphan
    assert numbers(client, "/analysis/passages/?query=sovereignty+OR+mexico") == [4, 5]


def test_group_by_theme_lists_a_passage_under_each_of_its_themes(client, coded):
    html = client.get("/analysis/passages/?group=theme").content.decode()
    headings = re.findall(r'<li class="passage-group"><h2>([^<]+)</h2>', html)
    assert headings == ["Bilateralism", "Distrust", "Mistrust", "Sovereignty"]
    assert numbers(client, "/analysis/passages/?group=theme") == [
        3, 6,  # bilateralism
        1, 3,  # distrust (its own)
        4, 5,  # mistrust
        2, 5,  # sovereignty
    ]  # fmt: skip
    assert 'id="passage-total">6<' in html and "8 entries" in html


def test_group_by_theme_keeps_to_the_filtered_themes_and_their_children(client, coded):
    url = "/analysis/passages/?group=theme&theme=distrust"
    assert numbers(client, url) == [1, 3, 4, 5]
    html = client.get(url).content.decode()
    headings = re.findall(r'<li class="passage-group"><h2>([^<]+)</h2>', html)
    assert headings == ["Distrust", "Mistrust"]


def test_orders_by_date_within_and_without_groups(client, coded):
    made_on(coded, DATES)
    assert numbers(client, "/analysis/passages/?order=oldest") == [5, 1, 2, 3, 4, 6]
    url = "/analysis/passages/?order=newest&group=document"
    assert numbers(client, url) == [4, 3, 2, 1, 6, 5]  # alpha, then beta
    url = "/analysis/passages/?order=oldest&group=theme&theme=mistrust"
    assert numbers(client, url) == [5, 4]


def export_link(client, url: str) -> str:
    html = client.get(url).content.decode()
    return unescape(re.search(r'id="export-these" href="([^"]+)"', html).group(1))


def exported(client, link: str) -> list[int]:
    response = client.get(link + "&format=jsonl")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    pks = [int(json.loads(line)["id"].rsplit(":", 1)[1]) for line in lines]
    by_pk = {a.pk: n for n, a in client.coded["annotations"].items()}
    return sorted(by_pk[pk] for pk in pks)


def test_export_these_carries_every_filter_the_export_understands(client, coded):
    made_on(coded, DATES)
    coder = coded["people"].annotator.username
    url = (
        f"/analysis/passages/?theme=distrust&coder={coder}&document=alpha"
        "&document=beta&since=2026-01-01&until=2026-02-28&query=trust"
    )
    link = export_link(client, url)
    assert link.startswith("/export/?")
    for part in [
        "theme=distrust",
        "theme=mistrust",  # the sub-theme named: the export does not roll up
        f"user={coder}",
        "document=alpha",
        "document=beta",
        "since=2026-01-01",
        "until=2026-02-28",
        "query=trust",
    ]:
        assert part in link.split("?")[1].split("&"), part
    assert exported(client, link) == sorted(numbers(client, url)) == [1, 3, 5]


def test_export_these_says_which_filters_it_cannot_carry(client, coded):
    html = client.get(
        "/analysis/passages/?theme=distrust&theme=bilateralism&mode=and&kind=heading"
    ).content.decode()
    assert (
        "the export does not filter on all of the themes (the export takes any of"
        " them), kind of record" in html
    )
    plain = client.get("/analysis/passages/?theme=distrust").content.decode()
    assert "the export does not filter on" not in plain


def test_the_search_query_field_is_described(client, coded):
    html = client.get("/analysis/passages/").content.decode()
    assert re.search(
        r'<input type="text" name="query"[^>]*aria-describedby="query-help"', html
    )
    assert '<span class="help" id="query-help">' in html
