"""Curation pages: edit and delete a document, correct records from the reading
page. Curators only (403 and nothing changed otherwise); bad input is a 400
with the reason, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.roles import Role
from annotations.models import Activity, Annotation
from corpus import curation
from corpus.models import Document, Paragraph
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TEXTS = [
    "Security cooperation grew. Distrust stayed.",
    "continued on the next page.",
    "JOURNAL 12",
]


@pytest.fixture
def document() -> Document:
    document = DocumentFactory(slug="doc", title="Borders")
    for position, text in enumerate(TEXTS):
        ParagraphFactory(document=document, position=position, text=text)
    return document


def client_as(role: Role | None) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


@pytest.fixture
def curator() -> Client:
    return client_as(Role.CURATOR)


def pk(document: Document, position: int) -> int:
    return document.paragraphs.get(position=position).pk


def url(document: Document, position: int, action: str) -> str:
    return f"/documents/{document.slug}/records/{pk(document, position)}/{action}/"


def state() -> tuple:
    return (
        list(
            Paragraph.objects.values_list(
                "id", "position", "kind", "text", "hidden"
            ).order_by("id")
        ),
        list(
            Document.objects.values_list("id", "title", "authors", "year").order_by(
                "id"
            )
        ),
        Annotation.objects.count(),
        Activity.objects.count(),
    )


def test_reading_page_controls_only_for_curators_in_curate_mode(document, curator):
    plain = curator.get("/documents/doc/").content.decode()
    assert "Correct records" in plain and "record-tools" not in plain
    page = curator.get("/documents/doc/?curate=1").content.decode()
    assert page.count('class="record-tools"') == 3
    assert page.count("Merge with next</button>") == 2  # not on the last record
    viewer = client_as(Role.ANNOTATOR).get("/documents/doc/?curate=1").content.decode()
    assert "record-tools" not in viewer and "Correct records" not in viewer


def test_merge_from_the_reading_page(document, curator):
    response = curator.post(url(document, 0, "merge"), {"joiner": "space"})
    assert response.status_code == 302
    assert response["Location"] == "/documents/doc/?curate=1#p-0"
    assert document.paragraphs.get(position=0).text == f"{TEXTS[0]} {TEXTS[1]}"
    page = curator.get(response["Location"]).content.decode()
    assert "Merged the record with the next one." in page


def test_change_kind_and_hide_then_show(document, curator):
    assert curator.post(url(document, 2, "kind"), {"kind": "meta"}).status_code == 302
    assert curator.post(url(document, 2, "hide")).status_code == 302
    page = curator.get("/documents/doc/?curate=1").content.decode()
    reading = curator.get("/documents/doc/").content.decode()
    assert "JOURNAL 12" in page.split('id="hidden-records"')[1]  # listed to show again
    assert "JOURNAL 12" not in reading
    assert curator.post(url(document, 2, "show")).status_code == 302
    assert "JOURNAL 12" in curator.get("/documents/doc/").content.decode()


def test_split_page_lists_points_previews_and_splits(document, curator):
    target = url(document, 0, "split")
    page = curator.get(target)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="27"' in html  # the start of "Distrust stayed."
    digest = curation.text_digest(TEXTS[0])
    form = {"point": "27", "second_kind": "paragraph", "digest": digest}
    preview = curator.post(target, {**form, "preview": "1"})
    assert preview.status_code == 200
    assert "Security cooperation grew." in preview.content.decode()
    assert Paragraph.objects.count() == 3  # a preview changes nothing
    done = curator.post(target, form)
    assert done.status_code == 302
    texts = list(
        document.paragraphs.order_by("position").values_list("text", flat=True)
    )
    assert texts == ["Security cooperation grew.", "Distrust stayed.", *TEXTS[1:]]


def test_split_at_a_typed_offset(document, curator):
    data = {"point": "custom", "offset": "9", "second_kind": "paragraph"}
    assert curator.post(url(document, 1, "split"), data).status_code == 302
    assert document.paragraphs.get(position=2).text == "on the next page."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"point": "custom", "offset": "0"}, "inside the text"),  # at the start
        ({"point": "custom", "offset": "43"}, "inside the text"),  # at the end
        ({"point": "custom", "offset": "-1"}, "greater than or equal to 0"),  # negative
        ({"point": "custom", "offset": "99999999999"}, "less than or equal to"),  # huge
        ({"point": "custom", "offset": "ten"}, "whole number"),  # not a number
        ({"point": "custom"}, "Pick a point"),  # nothing chosen
        ({"point": "3x"}, "Pick one of the points"),  # forged radio value
        ({"point": "27", "second_kind": "table"}, "valid choice"),  # unknown kind
        ({"point": "27", "digest": "0123456789abcdef"}, "changed since"),  # stale page
    ],
)
def test_bad_split_input_is_a_400_with_the_reason(document, curator, data, message):
    before = state()
    response = curator.post(
        url(document, 0, "split"), {"second_kind": "paragraph", **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before


@pytest.mark.parametrize(
    ("position", "action", "data", "message"),
    [
        (2, "merge", {"joiner": "space"}, "last record"),  # nothing to merge with
        (0, "merge", {"joiner": "comma"}, "valid choice"),  # unknown joiner
        (0, "kind", {"kind": "table"}, "valid choice"),  # unknown kind
        (0, "kind", {}, "required"),  # no kind
    ],
)
def test_bad_record_corrections_are_a_400_on_the_reading_page(
    document, curator, position, action, data, message
):
    before = state()
    response = curator.post(url(document, position, action), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The record was not changed" in html and message in html
    assert state() == before


def test_a_record_of_another_document_is_404(document, curator):
    other = ParagraphFactory(document=DocumentFactory(slug="other"), position=0)
    response = curator.post(f"/documents/doc/records/{other.pk}/hide/")
    assert response.status_code == 404


def test_record_actions_need_post(document, curator):
    assert curator.get(url(document, 0, "merge")).status_code == 405


# --- document pages ---------------------------------------------------------


def test_edit_document_details(document, curator):
    page = curator.get("/documents/doc/edit/")
    assert page.status_code == 200
    data = {
        "title": "Borders and bridges",
        "authors": "Ana Ortiz\n\nBen Clarke",
        "affiliation": "Suffolk",
        "year": "2012",
        "language": "en",
    }
    response = curator.post("/documents/doc/edit/", data)
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.authors, document.year) == (
        "Borders and bridges",
        ["Ana Ortiz", "Ben Clarke"],
        2012,
    )
    assert Activity.objects.filter(verb="document-edited").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Bad\x00title"}, "Null characters are not allowed"),  # NUL
        ({"title": "x" * 501}, "at most 500 characters"),  # too long
        ({"title": "x" * 2_000_000}, "at most 500 characters"),  # huge
        ({"authors": "\x07bell"}, "control character"),  # a control character
        ({"year": "0"}, "from 1 to 9999"),  # no year 0
        ({"year": "MMXII"}, "whole number"),  # not a number
        ({"language": "english"}, "language code"),  # not a code
    ],
)
def test_bad_details_are_shown_in_the_form(document, curator, data, message):
    before = state()
    response = curator.post("/documents/doc/edit/", {"title": "T", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before


def test_a_lone_surrogate_sent_by_a_client_is_not_a_500(document, curator):
    # A browser cannot send one; a hand-made request can (as bytes UTF-8
    # forbids). Django decodes them as U+FFFD, which is stored as such.
    body = "title=Bad%ED%A0%80title&year=&language="
    response = curator.post(
        "/documents/doc/edit/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert "\ufffd" in document.title
    assert all(not 0xD800 <= ord(char) <= 0xDFFF for char in document.title)


def test_delete_page_shows_what_goes_and_deletes(document, curator):
    AnnotationFactory(paragraph=document.paragraphs.get(position=0))
    AnnotationFactory(paragraph=document.paragraphs.get(position=1))
    page = curator.get("/documents/doc/delete/").content.decode()
    assert "<strong>3</strong> records" in page
    assert (
        "<strong>2</strong> annotations" in page and "<strong>2</strong> people" in page
    )
    response = curator.post("/documents/doc/delete/")
    assert response.status_code == 302 and response["Location"] == "/documents/"
    assert not Document.objects.exists() and not Annotation.objects.exists()


# --- permissions ------------------------------------------------------------


def _pages(document: Document) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("get", "/documents/doc/edit/", {}),
        ("post", "/documents/doc/edit/", {"title": "Changed"}),
        ("get", "/documents/doc/delete/", {}),
        ("post", "/documents/doc/delete/", {}),
        ("post", url(document, 0, "merge"), {"joiner": "space"}),
        ("get", url(document, 0, "split"), {}),
        (
            "post",
            url(document, 0, "split"),
            {"point": "27", "second_kind": "paragraph"},
        ),
        ("post", url(document, 0, "kind"), {"kind": "heading"}),
        ("post", url(document, 0, "hide"), {}),
        ("post", url(document, 0, "show"), {}),
    ]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANNOTATOR])
def test_viewers_and_annotators_get_403_and_nothing_changes(document, role):
    client = client_as(role)
    before = state()
    for method, address, data in _pages(document):
        response = getattr(client, method)(address, data)
        assert response.status_code == 403, (method, address)
    assert state() == before
