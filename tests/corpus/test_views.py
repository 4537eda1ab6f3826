"""The document list and the reading page, rendered through the test client."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client

from corpus.models import Paragraph
from corpus.reading import reading_page
from corpus.services import document_ingest
from tests.factories import DocumentFactory, ParagraphFactory

DATA = Path(__file__).resolve().parents[1] / "data"

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    document = DocumentFactory(
        slug="000-46f3a97b82bd372a",
        title="Obstacles for Security Cooperation",
        authors=["Roberto Domínguez", "Rafael Velázquez"],
        year=2012,
    )
    records = [
        ("meta", "", "by Roberto Domínguez, Suffolk University"),
        ("heading", "Introduction", "Introduction"),
        ("paragraph", "Introduction", "North America is <b>a region</b>."),
        ("footnote", "Introduction", "1 See NAFTA."),
        ("footnote", "Introduction", "2 Ibid."),
        ("heading", "Introduction", "A subsection"),
        ("paragraph", "Introduction", "Line one\nline two"),
        ("reference", "References", "Smith, J. (2001). Borders."),
        ("reference", "References", "Jones, K. (2005). Trust."),
    ]
    for position, (kind, section, text) in enumerate(records):
        ParagraphFactory(
            document=document, position=position, kind=kind, section=section, text=text
        )
    return document


def test_list_shows_documents_with_counts(client, document):
    DocumentFactory(title="", source_name="untitled_source.txt")
    response = client.get("/documents/")  # the home page (/) is search now
    html = response.content.decode()
    assert response.status_code == 200
    assert "Obstacles for Security Cooperation" in html
    assert "Roberto Domínguez; Rafael Velázquez" in html
    assert "untitled_source.txt" in html  # source name when the title is unknown
    assert 'href="/documents/000-46f3a97b82bd372a/"' in html
    counts = re.findall(r'data-kind="(\w+)">(\d+)<', html)[:5]
    assert counts == [
        ("heading", "2"),
        ("paragraph", "2"),
        ("footnote", "2"),
        ("reference", "2"),
        ("meta", "1"),
    ]


def test_list_when_empty(client):
    response = client.get("/documents/")
    assert response.status_code == 200
    assert "No documents yet" in response.content.decode()


def test_reading_page_renders_every_record_addressably(client, document):
    response = client.get(document.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    ids = re.findall(r'id="p-(\d+)"', html)
    assert sorted(map(int, ids)) == list(range(9))
    for position in range(9):
        assert f'href="#p-{position}"' in html
    assert html.index('id="p-0"') < html.index('id="p-1"')  # meta at the top
    assert [int(i) for i in ids[1:]] == list(range(1, 9))  # the rest in order


@pytest.mark.parametrize("marked", ["²", "x", "-1", ""])
def test_reading_page_ignores_a_mark_that_is_not_a_position(client, document, marked):
    # "²" passes str.isdigit() and used to crash int()
    response = client.get(document.get_absolute_url(), {"hl": marked})
    assert response.status_code == 200


def test_reading_page_structure(client, document):
    html = client.get(document.get_absolute_url()).content.decode()
    assert re.search(r'<h2 id="p-1"[^>]*><span class="text">Introduction</span>', html)
    assert re.search(r'<h3 id="p-5"[^>]*><span class="text">A subsection</span>', html)
    aside = re.search(r'<aside class="footnotes".*?</aside>', html, re.S).group(0)
    assert 'id="p-3"' in aside and 'id="p-4"' in aside
    references = re.search(r'<section class="references".*?</section>', html, re.S)
    assert references.group(0).count("<li ") == 2
    meta = re.search(r'<div class="meta-records">.*?</div>', html, re.S).group(0)
    assert 'id="p-0"' in meta


def test_reading_page_escapes_text_and_keeps_it_verbatim(client, document):
    html = client.get(document.get_absolute_url()).content.decode()
    assert "&lt;b&gt;a region&lt;/b&gt;" in html
    assert "<b>a region</b>" not in html
    assert '<span class="text">Line one\nline two</span>' in html


def test_unknown_slug_is_404_with_our_page(client):
    response = client.get("/documents/no-such-document/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_500_template_renders():
    assert "Something went wrong" in render_to_string("500.html")


def test_reading_page_groups_runs_and_lifts_meta():
    kinds = ["meta", "footnote", "footnote", "paragraph", "footnote", "meta"]
    records = [Paragraph(position=i, kind=k, text=str(i)) for i, k in enumerate(kinds)]
    page = reading_page(records)
    assert [r.position for r in page.meta] == [0, 5]
    assert [(b.kind, [r.position for r in b.records]) for b in page.blocks] == [
        ("footnote", [1, 2]),
        ("paragraph", [3]),
        ("footnote", [4]),
    ]


def test_list_headers_follow_kind_order(client, document):
    html = client.get("/documents/").content.decode()
    headers = re.findall(r'<th scope="col" class="count">(\w+)</th>', html)
    assert headers == ["Headings", "Paragraphs", "Footnotes", "References", "Meta"]


def test_a_reader_downloads_the_original_file(client, tmp_path):
    source = tmp_path / "Field notes (2019).pdf"
    source.write_bytes((DATA / "pdf" / "sandwich.pdf").read_bytes())
    document = document_ingest(path=source).document
    page = client.get(document.get_absolute_url()).content.decode()
    assert f'href="/documents/{document.slug}/original/"' in page
    response = client.get(f"/documents/{document.slug}/original/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == source.read_bytes()
    assert 'filename="Field notes (2019).pdf"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")


def test_no_original_kept_is_a_404_and_no_link(client, document):
    assert (
        "original-link" not in client.get(document.get_absolute_url()).content.decode()
    )
    assert client.get(f"/documents/{document.slug}/original/").status_code == 404
    assert client.get("/documents/no-such-document/original/").status_code == 404


def test_anonymous_cannot_download_an_original(document):
    response = Client().get(f"/documents/{document.slug}/original/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
