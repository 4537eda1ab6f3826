"""The export page: a form for viewers and up, downloads with headers,
clear errors for bad filters."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from typing import Any

import pytest

from annotations.exports import options
from annotations.exports.options import search_hits
from annotations.models import Annotation
from search.backend import get_backend
from tests.factories import first_project

URL = "/export/"


def test_form_lists_filters_and_formats(
    signed_in: Any, people: Any, excerpts: Any
) -> None:
    response = signed_in(people.viewer).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("csv", "jsonl", "md", "docx", "qdc", "qdpx", "w3c"):
        assert f'value="{name}"' in body
    assert 'value="distrust"' in body and 'value="ana"' in body


def test_csv_download_streams(
    signed_in: Any, people: Any, excerpts: list[Annotation]
) -> None:
    response = signed_in(people.viewer).get(URL, {"format": "csv", "user": "ana"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="gloss-excerpts-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Méfiance" in text and ',"ben",' not in text


def test_csv_links_are_absolute_at_the_address_in_use(
    signed_in: Any, people: Any, excerpts: list[Annotation], settings: Any
) -> None:
    settings.GLOSS_BASE_URL = "https://elsewhere.example"  # the page ignores it
    response = signed_in(people.viewer).get(URL, {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    links = [row["link"] for row in csv.DictReader(io.StringIO(text))]
    assert links and all(
        re.fullmatch(r"http://testserver/documents/[\w-]+/\?hl=\d+#p-\d+", link)
        for link in links
    ), links


def test_qdpx_download(signed_in: Any, people: Any, excerpts: list[Annotation]) -> None:
    response = signed_in(people.viewer).get(URL, {"format": "qdpx"})
    assert response["Content-Disposition"].endswith('.qdpx"')
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "pdf"}, "Choose one of the formats."),  # unknown format
        ({"format": "csv", "theme": "nope"}, "No theme named"),  # unknown theme
        (
            {"format": "csv", "since": "13/01/2020"},
            "Created from: &#x27;13/01/2020&#x27; is not a date",
        ),  # the form's own label, not a CLI flag
        ({"format": "csv", "query": 'title:"unclosed'}, "Search query"),  # bad query
    ],
)
def test_bad_filters_are_400_with_a_message(
    signed_in: Any, people: Any, params: dict[str, str], message: str
) -> None:
    response = signed_in(people.viewer).get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_query_keeps_excerpts_in_matching_paragraphs(
    signed_in: Any, people: Any, excerpts: list[Annotation]
) -> None:
    # the longest word of one excerpt's paragraph: found in few paragraphs
    word = max(re.findall(r"[^\W\d_]+", excerpts[1].paragraph.text), key=len)
    found = search_hits(first_project(), word)
    expected = {a.pk for a in excerpts if a.paragraph_id in found}
    assert excerpts[1].pk in expected and len(expected) < len(excerpts)
    response = signed_in(people.viewer).get(URL, {"format": "jsonl", "query": word})
    lines = b"".join(response.streaming_content).decode().splitlines()
    exported = {int(json.loads(line)["id"].rsplit(":", 1)[1]) for line in lines}
    assert exported == expected


def test_people_without_a_role_cannot_export(signed_in: Any, people: Any) -> None:
    assert signed_in(people.nobody).get(URL).status_code == 403


def test_a_query_gathers_its_hits_within_one_search_budget(
    signed_in: Any, people: Any, excerpts: Any, monkeypatch: Any
) -> None:
    """Every page of hits is a search of its own; all of them together get one
    search's budget (a broad query once held a worker for minutes)."""
    monkeypatch.setattr(options, "_clock", lambda: 0.0)  # time stands still
    assert len(search_hits(first_project(), "security")) > 100  # several pages of hits
    # each reading of the clock: a little over half the export's budget later
    clock = itertools.count(0.0, options.export_search_budget() * 0.6)
    monkeypatch.setattr(options, "_clock", lambda: next(clock))
    response = signed_in(people.viewer).get(URL, {"format": "csv", "query": "security"})
    assert response.status_code == 400
    assert "more than an export can gather" in response.content.decode()


def test_a_query_stopped_at_its_budget_is_refused_not_exported_in_part(
    signed_in: Any, people: Any, excerpts: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(get_backend(), "time_budget", 0.0)
    response = signed_in(people.viewer).get(URL, {"format": "csv", "query": "security"})
    assert response.status_code == 400
    assert "more than an export can gather" in response.content.decode()
