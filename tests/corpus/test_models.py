"""Document and Paragraph: constraints, display helpers, QuerySet reads."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from corpus.ingestion import pipeline
from corpus.models import Document, Paragraph
from tests.factories import DocumentFactory, ParagraphFactory

pytestmark = pytest.mark.django_db


def test_kinds_match_the_pipeline_contract() -> None:
    pipeline_kinds = {
        value for name, value in vars(pipeline.Kind).items() if name.isupper()
    }
    assert set(Paragraph.Kind.values) == pipeline_kinds


def test_position_is_unique_within_a_document() -> None:
    first = ParagraphFactory(position=0)
    ParagraphFactory(position=0)  # same position, another document: fine
    with pytest.raises(IntegrityError):
        ParagraphFactory(document=first.document, position=0)


def test_source_name_is_unique() -> None:
    DocumentFactory(source_name="a.txt")
    with pytest.raises(IntegrityError):
        DocumentFactory(source_name="a.txt", slug="other", iri="urn:x")


def test_deleting_a_document_deletes_its_paragraphs() -> None:
    paragraph = ParagraphFactory()
    paragraph.document.delete()
    assert not Paragraph.objects.exists()


def test_display_title_falls_back_to_source_name() -> None:
    assert DocumentFactory(title="", source_name="x.txt").display_title == "x.txt"
    assert str(DocumentFactory(title="A title")) == "A title"


def test_urls_and_anchor() -> None:
    paragraph = ParagraphFactory(document__slug="doc-1", position=12)
    assert paragraph.document.get_absolute_url() == "/documents/doc-1/"
    assert paragraph.anchor == "p-12"
    assert paragraph.get_absolute_url() == "/documents/doc-1/#p-12"


def test_kind_counts_with_and_without_annotation() -> None:
    document = DocumentFactory()
    for position, kind in enumerate(["heading", "paragraph", "paragraph", "meta"]):
        ParagraphFactory(document=document, position=position, kind=kind)
    expected = {"heading": 1, "paragraph": 2, "footnote": 0, "reference": 0, "meta": 1}
    assert document.kind_counts() == expected
    annotated = Document.objects.with_kind_counts().get(pk=document.pk)
    assert annotated.kind_counts() == expected
    assert list(annotated.kind_counts()) == Paragraph.Kind.values


def test_with_kind_counts_is_one_query(django_assert_num_queries) -> None:
    for _ in range(3):
        ParagraphFactory()
    with django_assert_num_queries(1):
        counts = [d.kind_counts() for d in Document.objects.with_kind_counts()]
    assert [c["paragraph"] for c in counts] == [1, 1, 1]


def test_by_name_accepts_source_name_or_slug() -> None:
    document = DocumentFactory(source_name="000_ab.txt", slug="000-ab")
    assert Document.objects.by_name("000_ab.txt") == document
    assert Document.objects.by_name("000-ab") == document
    assert Document.objects.by_name("nope") is None


def test_reading_order_and_kind_filters() -> None:
    later = DocumentFactory(source_name="b.txt")
    earlier = DocumentFactory(source_name="a.txt")
    ParagraphFactory(document=later, position=0, kind="heading")
    ParagraphFactory(document=earlier, position=1, kind="footnote")
    ParagraphFactory(document=earlier, position=0, kind="paragraph")
    ordered = Paragraph.objects.for_export()
    assert [(p.document.source_name, p.position) for p in ordered] == [
        ("a.txt", 0),
        ("a.txt", 1),
        ("b.txt", 0),
    ]
    assert {p.kind for p in Paragraph.objects.body()} == {"heading", "paragraph"}
    assert Paragraph.objects.of_kind("footnote").count() == 1


def test_with_kind_counts_keeps_document_order() -> None:
    for name in ["c.txt", "a.txt", "b.txt"]:
        ParagraphFactory(document__source_name=name, document__slug=name[0])
    names = [d.source_name for d in Document.objects.with_kind_counts()]
    assert names == ["a.txt", "b.txt", "c.txt"]
