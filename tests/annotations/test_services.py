"""annotations.services: validation messages, the codebook, bulk tagging,
permission backstops, activity entries."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations import services
from annotations.models import Activity, Annotation, TaggedAnnotation, Theme
from annotations.services import SpanRequest
from tests.factories import AnnotationFactory, ThemeFactory, first_project

pytestmark = pytest.mark.django_db


def create(people, paragraph, start, end, themes=("sovereignty",), **extra):
    return services.annotation_create(
        author=people.annotator,
        paragraph=paragraph,
        start=start,
        end=end,
        themes=list(themes),
        **extra,
    )


def messages_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- create -----------------------------------------------------------------


def test_create_stores_span_quote_context_and_themes(people, paragraphs, themes):
    text = paragraphs[0].text
    annotation = create(
        people, paragraphs[0], 16, 24, ["distrust", "Sovereignty"], note=" why "
    )
    assert annotation.quote == "distrust" == text[16:24]
    assert annotation.prefix == text[:16] and annotation.suffix == text[24:56]
    assert annotation.document == paragraphs[0].document
    assert annotation.note == "why"
    assert sorted(t.slug for t in annotation.themes.all()) == [
        "distrust",
        "sovereignty",
    ]
    entry = Activity.objects.get()
    assert (entry.actor, entry.verb) == (people.annotator, "annotated")
    assert "distrust" in entry.summary and entry.annotation_id == annotation.pk


def test_offsets_are_code_points(people, paragraphs, themes):
    text = paragraphs[2].text
    start = text.index("😀")
    annotation = create(people, paragraphs[2], start, start + 4, quote="😀 ok")
    assert annotation.quote == "😀 ok"
    assert annotation.end == len(text)  # one code point, not two UTF-16 units


def test_whole_paragraph_is_the_full_span(people, paragraphs, themes):
    annotation = create(people, paragraphs[1], 0, len(paragraphs[1].text))
    assert annotation.is_whole_paragraph
    assert annotation.prefix == annotation.suffix == ""


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 5, "start must be 0 or more (got -1)"),  # negative start
        (5, 5, "must be greater than start"),  # empty span
        (9, 4, "must be greater than start"),  # reversed
        (0, 500, "is past the end of the paragraph (67 characters)"),  # too long
    ],
)
def test_bad_offsets_are_refused_with_a_clear_message(
    people, paragraphs, themes, start, end, message
):
    with pytest.raises(ValidationError) as excinfo:
        create(people, paragraphs[0], start, end)
    assert any(message in m for m in messages_of(excinfo)["span"])
    assert not Annotation.objects.exists()


def test_quote_that_no_longer_matches_is_refused(people, paragraphs, themes):
    with pytest.raises(ValidationError) as excinfo:
        create(people, paragraphs[0], 0, 11, quote="Sovereignly")
    (message,) = messages_of(excinfo)["span"]
    assert "does not match" in message and "“Sovereignty”" in message
    assert "reload" in message


def test_a_hidden_record_cannot_be_tagged(people, paragraphs, themes):
    paragraphs[0].hidden = True
    paragraphs[0].save(update_fields=["hidden"])
    with pytest.raises(ValidationError) as excinfo:
        create(people, paragraphs[0], 0, 11)
    assert "hidden as page furniture" in messages_of(excinfo)["paragraph"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.annotations_bulk_create(
            project=first_project(),
            author=people.annotator,
            theme="sovereignty",
            items=[SpanRequest(paragraphs[0].pk)],
        )
    assert "hidden as page furniture" in messages_of(excinfo)["items"][0]
    assert not Annotation.objects.exists()


def test_quote_is_compared_after_nfc(people, paragraphs, themes):
    text = paragraphs[2].text
    start = text.index("Mérida")
    decomposed = "Me\u0301rida"  # what a non-NFC client might send
    annotation = create(people, paragraphs[2], start, start + 6, quote=decomposed)
    assert annotation.quote == "Mérida"


@pytest.mark.parametrize(
    ("slugs", "message"),
    [
        ([], "Pick at least one theme."),  # no theme
        (["trust"], "Unknown theme: “trust”."),  # not in the codebook
        (["sovereignty", "nope"], "Unknown theme: “nope”."),  # one bad of two
    ],
)
def test_themes_must_be_known(people, paragraphs, themes, slugs, message):
    with pytest.raises(ValidationError) as excinfo:
        create(people, paragraphs[0], 0, 5, slugs)
    assert messages_of(excinfo)["themes"] == [message]


def test_retired_theme_is_refused_for_new_annotations(people, paragraphs, themes):
    services.theme_retire(actor=people.curator, theme=themes["distrust"])
    with pytest.raises(ValidationError) as excinfo:
        create(people, paragraphs[0], 0, 5, ["distrust"])
    assert messages_of(excinfo)["themes"] == [
        "The theme “Distrust” is retired; pick another."
    ]


def test_note_length_limit(people, paragraphs, themes):
    with pytest.raises(ValidationError) as excinfo:
        create(people, paragraphs[0], 0, 5, note="x" * 5001)
    assert "too long (5001 characters; at most 5000)" in messages_of(excinfo)["note"][0]


def test_all_problems_are_reported_at_once(people, paragraphs, themes):
    with pytest.raises(ValidationError) as excinfo:
        create(people, paragraphs[0], 3, 2, ["nope"], note="x" * 6000)
    assert set(messages_of(excinfo)) == {"span", "themes", "note"}


def test_viewer_cannot_annotate(people, paragraphs, themes):
    with pytest.raises(PermissionDenied):
        services.annotation_create(
            author=people.viewer,
            paragraph=paragraphs[0],
            start=0,
            end=3,
            themes=["sovereignty"],
        )


# --- update and delete ------------------------------------------------------


def test_update_themes_note_and_span(people, paragraphs, themes):
    annotation = create(people, paragraphs[0], 0, 11)
    services.annotation_update(
        actor=people.annotator,
        annotation=annotation,
        themes=["distrust"],
        note="changed",
        start=16,
        end=24,
        quote="distrust",
    )
    annotation.refresh_from_db()
    assert (annotation.start, annotation.end, annotation.quote) == (16, 24, "distrust")
    assert annotation.prefix.endswith("Sovereignty and ")
    assert [t.slug for t in annotation.themes.all()] == ["distrust"]
    assert annotation.note == "changed"
    assert Activity.objects.filter(verb="edited").count() == 1


def test_update_keeps_a_retired_theme_but_cannot_add_one(people, paragraphs, themes):
    annotation = create(people, paragraphs[0], 0, 11, ["distrust"])
    services.theme_retire(actor=people.curator, theme=themes["distrust"])
    services.annotation_update(
        actor=people.annotator,
        annotation=annotation,
        themes=["distrust", "sovereignty"],
    )
    other = create(people, paragraphs[1], 0, 6)
    with pytest.raises(ValidationError, match="retired"):
        services.annotation_update(
            actor=people.annotator, annotation=other, themes=["distrust"]
        )


def test_update_span_is_validated(people, paragraphs, themes):
    annotation = create(people, paragraphs[0], 0, 11)
    with pytest.raises(ValidationError) as excinfo:
        services.annotation_update(
            actor=people.annotator, annotation=annotation, end=1000
        )
    assert "past the end" in messages_of(excinfo)["span"][0]
    annotation.refresh_from_db()
    assert annotation.end == 11


def test_only_author_or_curator_may_change(people, paragraphs, themes):
    annotation = create(people, paragraphs[0], 0, 11)
    for intruder in (people.other, people.viewer):
        with pytest.raises(PermissionDenied):
            services.annotation_update(actor=intruder, annotation=annotation, note="x")
        with pytest.raises(PermissionDenied):
            services.annotation_delete(actor=intruder, annotation=annotation)
    services.annotation_update(actor=people.curator, annotation=annotation, note="ok")
    services.annotation_delete(actor=people.curator, annotation=annotation)
    assert not Annotation.objects.exists()
    assert Activity.objects.filter(verb="deleted", actor=people.curator).exists()


# --- bulk -------------------------------------------------------------------


def test_bulk_tags_whole_paragraphs_and_spans_and_skips_repeats(
    people, paragraphs, themes
):
    items = [SpanRequest(paragraphs[0].pk), SpanRequest(paragraphs[1].pk, 0, 6)]
    first = services.annotations_bulk_create(
        project=first_project(),
        author=people.annotator,
        theme="bilateralism",
        items=items,
    )
    assert len(first.created) == 2 and first.skipped == 0
    whole = first.created[0]
    assert (whole.start, whole.end) == (0, len(paragraphs[0].text))
    assert first.created[1].quote == "Mexico"
    again = services.annotations_bulk_create(
        project=first_project(),
        author=people.annotator,
        theme="bilateralism",
        items=items,
    )
    assert (len(again.created), again.skipped) == (0, 2)
    assert Annotation.objects.count() == 2


def test_bulk_is_all_or_nothing_with_messages_per_item(people, paragraphs, themes):
    items = [
        SpanRequest(paragraphs[0].pk),
        SpanRequest(999999),
        SpanRequest(paragraphs[1].pk, 5, 500),
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.annotations_bulk_create(
            project=first_project(),
            author=people.annotator,
            theme="sovereignty",
            items=items,
        )
    problems = messages_of(excinfo)["items"]
    assert problems[0] == "Passage 2: paragraph 999999 does not exist."
    assert problems[1].startswith("Passage 3: end (500) is past the end")
    assert not Annotation.objects.exists()


def test_bulk_needs_items_and_an_active_theme(people, paragraphs, themes):
    with pytest.raises(ValidationError) as excinfo:
        services.annotations_bulk_create(
            project=first_project(), author=people.annotator, theme="x", items=[]
        )
    assert set(messages_of(excinfo)) == {"themes", "items"}


# --- codebook ---------------------------------------------------------------


def test_theme_create_and_duplicate_names(people, db):
    theme = services.theme_create(
        project=first_project(),
        actor=people.curator,
        name="Interdependence",
        colour="#123abc",
    )
    assert (theme.slug, theme.colour, theme.retired) == (
        "interdependence",
        "#123abc",
        False,
    )
    assert theme.guid is not None
    with pytest.raises(ValidationError, match="already exists"):
        services.theme_create(
            project=first_project(), actor=people.curator, name="interdependence"
        )
    with pytest.raises(ValidationError, match="hex colour"):
        services.theme_create(
            project=first_project(), actor=people.curator, name="Other", colour="red"
        )
    with pytest.raises(ValidationError, match="letter or a digit"):
        services.theme_create(project=first_project(), actor=people.curator, name="!!!")
    with pytest.raises(PermissionDenied):
        services.theme_create(
            project=first_project(), actor=people.annotator, name="Mine"
        )


def test_rename_keeps_annotations_and_changes_slug(people, paragraphs, themes):
    annotation = create(people, paragraphs[0], 0, 11, ["distrust"])
    guid = themes["distrust"].guid
    services.theme_update(
        actor=people.curator, theme=themes["distrust"], name="Mistrust"
    )
    theme = Theme.objects.get(guid=guid)
    assert (theme.name, theme.slug) == ("Mistrust", "mistrust")
    assert list(annotation.themes.all()) == [theme]
    with pytest.raises(ValidationError, match="already exists"):
        services.theme_update(actor=people.curator, theme=theme, name="Sovereignty")


def test_merge_moves_annotations_without_duplicates(people, paragraphs, themes):
    both = create(people, paragraphs[0], 0, 11, ["distrust", "sovereignty"])
    only_source = create(people, paragraphs[1], 0, 6, ["distrust"])
    only_target = create(people, paragraphs[2], 0, 9, ["sovereignty"])
    moved = services.theme_merge(
        actor=people.curator, source=themes["distrust"], target=themes["sovereignty"]
    )
    assert moved == 2
    assert not Theme.objects.filter(slug="distrust").exists()
    for annotation in (both, only_source, only_target):
        assert [t.slug for t in annotation.themes.all()] == ["sovereignty"]
    assert TaggedAnnotation.objects.count() == 3
    assert "merged the theme Distrust into Sovereignty" in (
        Activity.objects.filter(verb="theme-merged").get().summary
    )


def test_merge_refuses_self_and_retired_target(people, themes):
    with pytest.raises(ValidationError, match="itself"):
        services.theme_merge(
            actor=people.curator, source=themes["distrust"], target=themes["distrust"]
        )
    services.theme_retire(actor=people.curator, theme=themes["sovereignty"])
    with pytest.raises(ValidationError, match="restore it"):
        services.theme_merge(
            actor=people.curator,
            source=themes["distrust"],
            target=themes["sovereignty"],
        )


def test_retire_and_restore(people, paragraphs, themes):
    annotation = create(people, paragraphs[0], 0, 11, ["distrust"])
    services.theme_retire(actor=people.curator, theme=themes["distrust"])
    assert not Theme.objects.active().filter(slug="distrust").exists()
    assert [t.slug for t in annotation.themes.all()] == ["distrust"]  # kept
    services.theme_retire(actor=people.curator, theme=themes["distrust"], retired=False)
    assert Theme.objects.active().filter(slug="distrust").exists()
    verbs = list(Activity.objects.values_list("verb", flat=True))
    assert {"theme-retired", "theme-restored"} <= set(verbs)


def test_theme_is_protected_from_plain_deletion(people, paragraphs, themes):
    from django.db.models import ProtectedError

    AnnotationFactory(paragraph=paragraphs[0], themes=[themes["distrust"]])
    with pytest.raises(ProtectedError):
        themes["distrust"].delete()


def test_theme_factory_makes_distinct_themes(db):
    assert ThemeFactory().slug != ThemeFactory().slug
