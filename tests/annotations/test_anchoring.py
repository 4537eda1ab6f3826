"""Re-anchoring: a re-ingested document keeps its annotations where the quote
can be found again, orphans the rest (flagged, never deleted), in the ingest's
own transaction."""

from __future__ import annotations

import pytest
from django.db.models import RestrictedError

from annotations import services
from annotations.anchoring import Anchor, Quote, locate, quote_at
from annotations.models import Activity, Annotation
from corpus.models import Document
from corpus.services import document_ingest
from tests.conftest import draft

pytestmark = pytest.mark.django_db

FIRST = "Sovereignty matters to Mexico. Trust is scarce."
SECOND = "Canada guards its data. Trust is scarce here too."


@pytest.mark.parametrize(
    ("quote", "texts", "hint", "expected"),
    [
        # unchanged text: same place
        (Quote("Trust", "Mexico. ", " is"), [FIRST, SECOND], 0, Anchor(0, 31, 36)),
        # the context picks the second of two occurrences
        (Quote("Trust", "its data. ", " is"), [FIRST, SECOND], 0, Anchor(1, 24, 29)),
        # no context at all (whole paragraph): nearest to the hint
        (Quote("Same."), ["Same.", "Other.", "Same."], 2, Anchor(2, 0, 5)),
        # context mostly gone: refused rather than guessed
        (Quote("Trust", "XXXXXXXX", "YYYY"), [FIRST], 0, None),
        # the quote itself changed
        (Quote("Distrust", "", ""), [FIRST, SECOND], 0, None),
        # empty quote never matches
        (Quote(""), [FIRST], 0, None),
    ],
)
def test_locate(quote, texts, hint, expected):
    assert locate(quote, texts, hint) == expected


def test_quote_at_keeps_32_characters_of_context():
    text = "x" * 40 + "QUOTE" + "y" * 40
    found = quote_at(text, 40, 45)
    assert found == Quote("QUOTE", "x" * 32, "y" * 32)


# --- through document_ingest ------------------------------------------------


@pytest.fixture
def ingested(write_source, stub_pipeline):
    """Ingest a.txt with two paragraphs; return a function to re-ingest new ones."""
    path = write_source("a.txt", "v1")
    stub_pipeline(draft("paragraph", FIRST), draft("paragraph", SECOND))
    document_ingest(path=path)
    version = iter(range(2, 100))

    def reingest(*texts: str) -> Document:
        path.write_text(f"v{next(version)}")
        stub_pipeline(*(draft("paragraph", t) for t in texts))
        return document_ingest(path=path).document

    return reingest


def tag(people, paragraph, quote, theme="distrust"):
    start = paragraph.text.index(quote)
    return services.annotation_create(
        author=people.annotator,
        paragraph=paragraph,
        start=start,
        end=start + len(quote),
        themes=[theme],
    )


def paragraph_at(position: int):
    return Document.objects.get().paragraphs.get(position=position)


def test_reingest_moves_annotations_with_their_text(ingested, people, themes, hook):
    trust = tag(people, paragraph_at(1), "Trust is scarce here")
    whole = services.annotation_create(
        author=people.other,
        paragraph=paragraph_at(0),
        start=0,
        end=len(FIRST),
        themes=["sovereignty"],
    )
    hook.clear()
    ingested("A new opening paragraph.", FIRST, SECOND)
    trust.refresh_from_db()
    whole.refresh_from_db()
    assert trust.paragraph == paragraph_at(2) and not trust.orphaned
    assert (trust.start, trust.end) == (24, 44)
    assert trust.paragraph.text[trust.start : trust.end] == "Trust is scarce here"
    assert whole.paragraph == paragraph_at(1) and whole.is_whole_paragraph
    assert [t.slug for t in trust.themes.all()] == ["distrust"]  # themes kept
    assert hook.calls == [sorted([paragraph_at(1).pk, paragraph_at(2).pk])]
    assert hook.in_transaction == [True]


def test_reingest_with_edited_text_orphans_and_keeps(ingested, people, themes):
    kept = tag(people, paragraph_at(0), "Sovereignty matters")
    lost = tag(people, paragraph_at(1), "Canada guards its data")
    ingested("Sovereignty matters to Mexico. Trust is scarce.", "Canada is careful.")
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert not kept.orphaned and kept.paragraph == paragraph_at(0)
    assert lost.orphaned and lost.paragraph is None and lost.last_position == 1
    assert lost.quote == "Canada guards its data"  # the selector is kept
    assert [t.slug for t in lost.themes.all()] == ["distrust"]
    entry = Activity.objects.get(verb="re-anchored")
    assert "1 annotations re-anchored, 1 could not be placed" in entry.summary


def test_orphans_are_retried_at_the_next_ingest(ingested, people, themes):
    lost = tag(people, paragraph_at(1), "Canada guards its data")
    ingested(FIRST, "Something else.")
    lost.refresh_from_db()
    assert lost.orphaned
    ingested(FIRST, SECOND)  # a later, better cleaning brings the text back
    lost.refresh_from_db()
    assert not lost.orphaned and lost.paragraph == paragraph_at(1)


def test_unchanged_file_touches_nothing(write_source, stub_pipeline, people, themes):
    path = write_source("b.txt", "same")
    stub_pipeline(draft("paragraph", FIRST))
    document = document_ingest(path=path).document
    annotation = tag(people, document.paragraphs.get(), "Trust")
    document_ingest(path=path)
    annotation.refresh_from_db()
    assert annotation.paragraph is not None and not annotation.orphaned


def test_paragraphs_with_annotations_cannot_be_deleted_silently(
    ingested, people, themes
):
    tag(people, paragraph_at(0), "Sovereignty")
    with pytest.raises(RestrictedError):
        Document.objects.get().paragraphs.all().delete()


def test_deleting_a_document_deletes_its_annotations(ingested, people, themes):
    tag(people, paragraph_at(0), "Sovereignty")
    Document.objects.get().delete()
    assert not Annotation.objects.exists()
