"""corpus.curation: every service keeps annotations on the same characters,
positions contiguous, sections right and the (real, tmp_path) Whoosh index in
step with the database; bad input and the wrong role change nothing."""

from __future__ import annotations

import doctest
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from annotations.exports.selection import ExportFilters, document_info, export_rows
from annotations.models import Activity, Annotation
from corpus import curation
from corpus.models import Document, Paragraph
from search import outbox
from search.backend import get_backend
from search.services import search_paragraphs
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ThemeFactory,
    UserFactory,
    first_project,
)

pytestmark = pytest.mark.django_db

# (kind, text) of the test document, positions 0..4.
RECORDS = [
    ("heading", "Introduction"),
    ("paragraph", "Security cooperation grew after 2001. Distrust of agencies stayed."),
    ("paragraph", "continued by Mexico on its soil."),
    ("meta", "JOURNAL OF BORDERLANDS 12"),
    ("paragraph", "Canada guards its data."),
]
P1, P2 = RECORDS[1][1], RECORDS[2][1]


@pytest.fixture
def curator() -> Any:
    return UserFactory(username="cleo", role=Role.CURATOR)


@pytest.fixture
def annotator() -> Any:
    return UserFactory(username="ana", role=Role.ANNOTATOR)


@pytest.fixture
def document() -> Document:
    """The test document, indexed."""
    document = DocumentFactory(slug="doc", title="Borders", authors=["Ana Ortiz"])
    for position, (kind, text) in enumerate(RECORDS):
        section = "" if position == 0 and kind != "heading" else "Introduction"
        ParagraphFactory(
            document=document, position=position, kind=kind, text=text, section=section
        )
    get_backend().rebuild()
    return document


def record(document: Document, position: int) -> Paragraph:
    return document.paragraphs.get(position=position)


def tag(paragraph: Paragraph, start: int, end: int, **fields: Any) -> Annotation:
    return AnnotationFactory(paragraph=paragraph, start=start, end=end, **fields)


def positions(document: Document) -> list[int]:
    return list(
        document.paragraphs.order_by("position").values_list("position", flat=True)
    )


def found(query: str, **filters: list[str]) -> set[int]:
    """Ids of the records a search finds (it applies pending index changes)."""
    result = search_paragraphs(project=first_project(), query=query, filters=filters)
    return {row.paragraph.id for row in result.rows}


def assert_index_in_step() -> None:
    outbox.drain()
    drift = get_backend().drift()
    assert drift.clean, drift


def snapshot() -> tuple:
    """Everything a correction could change."""
    return (
        list(
            Paragraph.objects.values_list(
                "id", "position", "kind", "text", "section", "hidden"
            ).order_by("id")
        ),
        list(
            Annotation.objects.values_list(
                "id", "paragraph_id", "start", "end", "quote"
            ).order_by("id")
        ),
        list(
            Document.objects.values_list(
                "id", "title", "authors", "year", "language"
            ).order_by("id")
        ),
        Activity.objects.count(),
    )


def test_module_doctests() -> None:
    result = doctest.testmod(curation)
    assert result.attempted > 0 and result.failed == 0


# --- merge ------------------------------------------------------------------


def test_merge_moves_the_next_records_annotations_with_shifted_offsets(
    document, curator
):
    first, second = record(document, 1), record(document, 2)
    on_first = tag(first, 0, 8)  # "Security"
    on_second = tag(second, 13, 19)  # "Mexico"
    merged = curation.paragraph_merge_next(actor=curator, paragraph=first)
    assert merged.text == f"{P1} {P2}"
    assert not Paragraph.objects.filter(pk=second.pk).exists()
    on_first.refresh_from_db()
    on_second.refresh_from_db()
    shift = len(P1) + 1
    assert (on_second.paragraph_id, on_second.start, on_second.end) == (
        first.pk,
        13 + shift,
        19 + shift,
    )
    assert on_second.quote == "Mexico" == merged.text[on_second.start : on_second.end]
    assert on_second.prefix == merged.text[on_second.start - 32 : on_second.start]
    assert (on_first.start, on_first.end, on_first.quote) == (0, 8, "Security")
    assert on_first.suffix == merged.text[8:40]  # context now runs into P2
    assert positions(document) == [0, 1, 2, 3]
    assert record(document, 3).text == RECORDS[4][1]
    assert found("Mexico") == {first.pk}
    assert_index_in_step()
    entry = Activity.objects.get(verb="records-merged")
    assert entry.actor == curator and entry.paragraph_id == first.pk


def test_merge_joined_by_nothing(document, curator):
    merged = curation.paragraph_merge_next(
        actor=curator, paragraph=record(document, 1), joiner="none"
    )
    assert merged.text == P1 + P2


def test_merge_skips_hidden_records_which_stay_in_place(document, curator):
    hidden = curation.paragraph_hide(actor=curator, paragraph=record(document, 3))
    merged = curation.paragraph_merge_next(actor=curator, paragraph=record(document, 2))
    assert merged.text == f"{P2} {RECORDS[4][1]}"
    hidden.refresh_from_db()
    assert hidden.position == 3 and hidden.hidden
    assert positions(document) == [0, 1, 2, 3]
    assert_index_in_step()


def test_merging_a_heading_recomputes_sections(document, curator):
    heading = record(document, 0)
    curation.paragraph_merge_next(actor=curator, paragraph=heading, joiner="newline")
    heading.refresh_from_db()
    assert heading.text == f"Introduction\n{P1}"
    sections = set(document.paragraphs.values_list("section", flat=True))
    assert sections == {heading.text}
    assert_index_in_step()


@pytest.mark.parametrize(
    ("position", "joiner", "message"),
    [
        (4, "space", "last record"),  # nothing after the last record
        (1, "semicolon", "Unknown joiner"),  # not one of JOINERS
    ],
)
def test_merge_refusals_change_nothing(document, curator, position, joiner, message):
    before = snapshot()
    with pytest.raises(ValidationError, match=message):
        curation.paragraph_merge_next(
            actor=curator, paragraph=record(document, position), joiner=joiner
        )
    assert snapshot() == before


def test_merge_of_the_last_visible_record_is_refused(document, curator):
    curation.paragraph_hide(actor=curator, paragraph=record(document, 4))
    with pytest.raises(ValidationError, match="last record"):
        curation.paragraph_merge_next(actor=curator, paragraph=record(document, 3))


# --- split ------------------------------------------------------------------


def test_split_moves_divides_and_keeps_annotations(document, curator):
    first = record(document, 1)
    cut = P1.index("Distrust")  # the space before it is dropped
    keeps = tag(first, 0, 8, note="kept")  # "Security"
    moves = tag(first, cut, cut + 8)  # "Distrust"
    crosses = tag(first, P1.index("2001"), cut + 8, note="both")  # "2001. Distrust"
    themes = set(crosses.themes.values_list("slug", flat=True))
    second = curation.paragraph_split(actor=curator, paragraph=first, offset=cut)
    first.refresh_from_db()
    assert first.text == "Security cooperation grew after 2001."
    assert second.text == "Distrust of agencies stayed."
    assert (second.position, second.kind, second.section) == (
        2,
        "paragraph",
        "Introduction",
    )
    assert positions(document) == [0, 1, 2, 3, 4, 5]
    assert record(document, 3).text == P2
    for annotation in (keeps, moves, crosses):
        annotation.refresh_from_db()
    assert (keeps.paragraph_id, keeps.start, keeps.end, keeps.quote) == (
        first.pk,
        0,
        8,
        "Security",
    )
    assert keeps.suffix == first.text[8:40]
    assert (moves.paragraph_id, moves.start, moves.end, moves.quote) == (
        second.pk,
        0,
        8,
        "Distrust",
    )
    assert moves.prefix == ""
    assert (crosses.paragraph_id, crosses.quote) == (first.pk, "2001.")
    copy = Annotation.objects.exclude(pk__in=[keeps.pk, moves.pk, crosses.pk]).get()
    assert (copy.paragraph_id, copy.start, copy.end, copy.quote) == (
        second.pk,
        0,
        8,
        "Distrust",
    )
    assert (copy.author_id, copy.note, copy.created) == (
        crosses.author_id,
        "both",
        crosses.created,
    )
    assert set(copy.themes.values_list("slug", flat=True)) == themes
    assert found("distrust") == {second.pk}
    assert found("security") == {first.pk}
    assert_index_in_step()
    entry = Activity.objects.get(verb="record-split")
    assert "1 annotations moved, 1 divided" in entry.summary


def test_split_a_heading_that_swallowed_text(curator):
    document = DocumentFactory(slug="h")
    ParagraphFactory(
        document=document,
        position=0,
        kind="heading",
        text="Method We read.",
        section="Method We read.",
    )
    ParagraphFactory(
        document=document, position=1, text="More.", section="Method We read."
    )
    heading = record(document, 0)
    body = curation.paragraph_split(
        actor=curator, paragraph=heading, offset=7, second_kind="paragraph"
    )
    assert (body.kind, body.text) == ("paragraph", "We read.")
    sections = dict(document.paragraphs.values_list("position", "section"))
    assert sections == {0: "Method", 1: "Method", 2: "Method"}


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (0, "inside the text"),  # at the very start
        (len(P1), "inside the text"),  # at the very end
        (-3, "inside the text"),  # negative
        (10**6, "inside the text"),  # far outside
        (len(P1) - 1, None),  # would leave one character: allowed (control row)
    ],
)
def test_split_offsets_must_be_inside_the_text(document, curator, offset, message):
    before = snapshot()
    first = record(document, 1)
    if message is None:
        curation.paragraph_split(actor=curator, paragraph=first, offset=offset)
        assert positions(document) == list(range(6))
        return
    with pytest.raises(ValidationError, match=message):
        curation.paragraph_split(actor=curator, paragraph=first, offset=offset)
    assert snapshot() == before


def test_split_refuses_a_point_with_only_space_on_one_side(curator):
    paragraph = ParagraphFactory(text="Words   ")
    with pytest.raises(ValidationError, match="only space"):
        curation.paragraph_split(actor=curator, paragraph=paragraph, offset=6)


def test_split_inside_a_combined_character_is_refused(curator):
    paragraph = ParagraphFactory(text="Cafe\u0301 noir")  # NFD-like: e + accent
    with pytest.raises(ValidationError, match="inside a character"):
        curation.paragraph_split(actor=curator, paragraph=paragraph, offset=4)


def test_split_with_a_stale_digest_is_refused(document, curator):
    first = record(document, 1)
    before = snapshot()
    with pytest.raises(ValidationError, match="changed since"):
        curation.paragraph_split(
            actor=curator, paragraph=first, offset=5, digest=curation.text_digest("old")
        )
    assert snapshot() == before


def test_an_annotation_of_only_the_dropped_space_is_orphaned(curator):
    paragraph = ParagraphFactory(text="One.  Two.")
    lonely = tag(paragraph, 4, 6)
    curation.paragraph_split(actor=curator, paragraph=paragraph, offset=5)
    lonely.refresh_from_db()
    assert lonely.orphaned and lonely.paragraph_id is None


def test_split_then_merge_restores_text_and_annotations(document, curator):
    first = record(document, 1)
    cut = P1.index("Distrust")
    moves = tag(first, cut + 12, cut + 20)  # "agencies"
    curation.paragraph_split(actor=curator, paragraph=first, offset=cut)
    merged = curation.paragraph_merge_next(actor=curator, paragraph=first)
    assert merged.text == P1
    moves.refresh_from_db()
    assert (moves.paragraph_id, moves.start, moves.end, moves.quote) == (
        first.pk,
        cut + 12,
        cut + 20,
        "agencies",
    )
    assert positions(document) == list(range(5))


# --- kind, hide, show ----------------------------------------------------------


def test_set_kind_reindexes_and_recomputes_sections(document, curator):
    second = record(document, 2)
    curation.paragraph_set_kind(actor=curator, paragraph=second, kind="heading")
    second.refresh_from_db()
    assert second.kind == "heading"
    assert record(document, 4).section == P2
    assert record(document, 1).section == "Introduction"
    assert found("", kind=["heading"]) == {record(document, 0).pk, second.pk}
    assert_index_in_step()
    assert Activity.objects.get(verb="kind-changed").summary.endswith(
        "paragraph → heading"
    )


def test_unknown_kind_is_refused(document, curator):
    before = snapshot()
    with pytest.raises(ValidationError, match="Unknown kind"):
        curation.paragraph_set_kind(
            actor=curator, paragraph=record(document, 1), kind="table"
        )
    assert snapshot() == before


def test_hidden_record_leaves_search_reading_and_exports_until_shown(
    document, curator, annotator
):
    meta = record(document, 3)
    on_meta = tag(meta, 0, 7, author=annotator)
    on_body = tag(record(document, 4), 0, 6, author=annotator)
    get_backend().rebuild()  # the factory tagged behind the index's back
    assert found("borderlands") == {meta.pk}
    curation.paragraph_hide(actor=curator, paragraph=meta)
    assert found("borderlands") == set()
    assert list(Paragraph.objects.visible().filter(pk=meta.pk)) == []
    exported = [row.id for row in export_rows(ExportFilters(project=first_project()))]
    assert len(exported) == 1 and exported[0].endswith(str(on_body.pk))
    info = document_info(document)
    assert "JOURNAL" not in info.text and 3 not in info.offsets
    on_meta.refresh_from_db()
    assert on_meta.paragraph_id == meta.pk  # kept, waiting
    assert_index_in_step()
    curation.paragraph_show(actor=curator, paragraph=meta)
    assert found("borderlands") == {meta.pk}
    assert_index_in_step()
    verbs = list(
        Activity.objects.filter(verb__startswith="record-").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == ["record-hidden", "record-shown"]


def test_hiding_a_heading_ends_its_section(document, curator):
    curation.paragraph_hide(actor=curator, paragraph=record(document, 0))
    assert set(document.paragraphs.values_list("section", flat=True)) == {""}
    assert_index_in_step()


def test_hidden_records_cannot_be_corrected(document, curator):
    meta = curation.paragraph_hide(actor=curator, paragraph=record(document, 3))
    with pytest.raises(ValidationError, match="hidden"):
        curation.paragraph_set_kind(actor=curator, paragraph=meta, kind="paragraph")


# --- documents --------------------------------------------------------------


def test_document_update_saves_logs_and_reindexes(document, curator):
    updated = curation.document_update(
        actor=curator,
        document=document,
        title="  Borders  and  bridges ",
        authors=["Rafael Vela\u0301zquez", " ", "Ana Ortiz"],
        year=2012,
        language="FR",
        affiliation="Suffolk",
    )
    document.refresh_from_db()
    assert document.title == "Borders and bridges" == updated.title
    assert document.authors == ["Rafael Velázquez", "Ana Ortiz"]  # NFC, blanks dropped
    assert (document.year, document.language, document.affiliation) == (
        2012,
        "fr",
        "Suffolk",
    )
    assert_index_in_step()  # every record's title and byline were re-indexed
    assert Activity.objects.get(verb="document-edited").actor == curator


def test_document_update_without_change_logs_nothing(document, curator):
    curation.document_update(actor=curator, document=document, title="Borders")
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "Bad\x00title"}, "title"),  # NUL: PostgreSQL cannot store it
        ({"title": "Bad \ud800 title"}, "title"),  # a lone surrogate is not text
        ({"title": "x" * 501}, "title"),  # over the column's length
        ({"affiliation": "x" * 10_000_000}, "affiliation"),  # huge
        ({"authors": "Ana Ortiz"}, "authors"),  # a string, not a list
        ({"authors": ["A"] * 101}, "authors"),  # too many names
        ({"authors": ["y" * 201]}, "authors"),  # a name too long
        ({"year": 0}, "year"),  # no year 0
        ({"year": "2012"}, "year"),  # a string
        ({"language": "english"}, "language"),  # not a code
    ],
)
def test_document_update_rejects_bad_values(document, curator, fields, field):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        curation.document_update(actor=curator, document=document, **fields)
    assert field in error.value.message_dict
    assert snapshot() == before


def test_document_update_refuses_unknown_fields(document, curator):
    with pytest.raises(TypeError, match="slug"):
        curation.document_update(actor=curator, document=document, slug="other")


def test_document_delete_takes_records_annotations_and_index_entries(document, curator):
    other = DocumentFactory(slug="other")
    kept = ParagraphFactory(document=other, position=0, text="Mexico elsewhere.")
    get_backend().rebuild()
    ana = UserFactory(role=Role.ANNOTATOR)
    tag(record(document, 1), 0, 8, author=ana)
    tag(record(document, 4), 0, 6, author=ana)  # one person, two annotations
    tag(record(document, 2), 13, 19)
    preview = curation.document_delete_preview(document)
    assert preview == curation.DeletePreview(records=5, annotations=3, annotators=2)
    gone = curation.document_delete(actor=curator, document=document)
    assert gone == preview
    assert not Document.objects.filter(slug="doc").exists()
    assert Paragraph.objects.get() == kept and not Annotation.objects.exists()
    assert found("Mexico") == {kept.pk}
    assert_index_in_step()
    entry = Activity.objects.get(verb="document-deleted")
    assert entry.document is None
    assert "5 records, 3 annotations by 2 people" in entry.summary


# --- permissions ------------------------------------------------------------

SERVICES = [
    (curation.paragraph_merge_next, {}),
    (curation.paragraph_split, {"offset": 5}),
    (curation.paragraph_set_kind, {"kind": "heading"}),
    (curation.paragraph_hide, {}),
    (curation.paragraph_show, {}),
]


@pytest.mark.parametrize("role", [None, Role.VIEWER, Role.ANNOTATOR])
@pytest.mark.parametrize(
    ("service", "extra"), SERVICES, ids=lambda s: getattr(s, "__name__", "")
)
def test_only_curators_correct_records(document, role, service, extra):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        service(actor=UserFactory(role=role), paragraph=record(document, 1), **extra)
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANNOTATOR])
def test_only_curators_edit_or_delete_documents(document, role):
    user = UserFactory(role=role)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        curation.document_update(actor=user, document=document, title="X")
    with pytest.raises(PermissionDenied):
        curation.document_delete(actor=user, document=document)
    assert snapshot() == before


def test_admins_curate_too(document):
    admin = UserFactory(role=Role.ADMIN)
    curation.paragraph_set_kind(
        actor=admin, paragraph=record(document, 3), kind="paragraph"
    )
    assert record(document, 3).kind == "paragraph"


def test_themes_follow_the_annotation_onto_the_merged_record(document, curator):
    theme = ThemeFactory(slug="distrust", name="Distrust")
    on_second = tag(record(document, 2), 13, 19, themes=[theme])
    first = curation.paragraph_merge_next(actor=curator, paragraph=record(document, 1))
    on_second.refresh_from_db()
    assert on_second.paragraph_id == first.pk
    assert found("", theme=["distrust"]) == {first.pk}


def test_hidden_records_leave_agreement_and_the_paragraph_export(document, curator):
    from io import StringIO

    from django.core.management import call_command

    from annotations.selectors import agreement_report

    theme = ThemeFactory(slug="distrust", name="Distrust")
    for author in (UserFactory(role=Role.ANNOTATOR), UserFactory(role=Role.ANNOTATOR)):
        tag(record(document, 1), 0, 8, author=author, themes=[theme])
    units = agreement_report(first_project(), [theme])[0].units
    assert units == 4  # every non-meta record
    curation.paragraph_hide(actor=curator, paragraph=record(document, 4))
    assert agreement_report(first_project(), [theme])[0].units == units - 1
    out = StringIO()
    call_command("export_paragraphs", stdout=out)
    assert RECORDS[4][1] not in out.getvalue() and P2 in out.getvalue()
