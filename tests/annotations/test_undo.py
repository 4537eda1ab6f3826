"""Undo from the activity log (annotations.undo): merges, retirements and
deletions of themes, and a person's own recent annotation changes, restored
exactly (every field of every theme, each annotation's theme set, memos);
refusals change nothing; an entry is undone once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations import services, undo
from annotations.models import Activity, Annotation, Memo, Theme
from annotations.snapshots import annotation_state
from tests.factories import AnnotationFactory, ThemeFactory, first_project

pytestmark = pytest.mark.django_db


def full_state() -> dict:
    """Everything an undo must restore: every theme's fields (id, GUID and
    creation time too), each annotation's fields and theme set, every memo.
    Not the versions: an undo is a new write, so it moves them on (a form
    read before the undo must meet a conflict, not pass)."""
    themes = [
        {k: v for k, v in row.items() if k != "version"}
        for row in Theme.objects.order_by("pk").values()
    ]
    annotations = {
        a.pk: {**annotation_state(a), "updated": None, "version": None}
        for a in Annotation.objects.order_by("pk")
    }
    memos = list(Memo.objects.order_by("pk").values())
    return {"themes": themes, "annotations": annotations, "memos": memos}


def latest(verb: str) -> Activity:
    return Activity.objects.filter(verb=verb).latest("created", "id")


@pytest.fixture
def codebook(themes, paragraphs, people) -> dict:
    """distrust (described, coloured, placed) with a sub-theme and a memo;
    annotations with distrust only, with distrust and sovereignty, and others."""
    distrust = themes["distrust"]
    distrust.description, distrust.inclusion, distrust.exclusion = "d", "i", "e"
    distrust.position, distrust.parent = 3, themes["bilateralism"]
    distrust.save()
    child = ThemeFactory(slug="suspicion", name="Suspicion", parent=distrust)
    ann = people.annotator
    sov = themes["sovereignty"]
    made = {
        "only": AnnotationFactory(paragraph=paragraphs[0], themes=[distrust]),
        "both": AnnotationFactory(
            paragraph=paragraphs[1], themes=[distrust, sov], author=ann
        ),
        "sov": AnnotationFactory(paragraph=paragraphs[2], themes=[sov]),
        "child": AnnotationFactory(paragraph=paragraphs[2], themes=[child]),
    }
    Memo.objects.create(
        project=first_project(), author=ann, text="On distrust.", theme=distrust
    )
    return {**themes, "suspicion": child, **made}


def test_undo_of_a_merge_restores_both_themes_and_every_annotation(codebook, people):
    before = full_state()
    services.theme_merge(
        actor=people.curator,
        source=codebook["distrust"],
        target=codebook["sovereignty"],
    )
    merged = full_state()
    assert merged != before
    entry = latest(Activity.Verb.THEME_MERGED)

    undone = undo.activity_undo(actor=people.curator, entry=entry)

    assert full_state() == before
    entry.refresh_from_db()
    assert entry.undone_by == undone
    assert undone.verb == Activity.Verb.UNDONE
    assert undone.summary == f"undid: {entry.summary}"
    with pytest.raises(ValidationError, match="undone already"):
        undo.activity_undo(actor=people.curator, entry=entry)
    assert full_state() == before


def test_undo_of_a_merge_into_its_own_sub_theme(codebook, people):
    """The target took the source's place in the tree; undo puts it back."""
    before = full_state()
    services.theme_merge(
        actor=people.curator, source=codebook["distrust"], target=codebook["suspicion"]
    )
    assert Theme.objects.get(slug="suspicion").parent == codebook["bilateralism"]
    undo.activity_undo(actor=people.curator, entry=latest(Activity.Verb.THEME_MERGED))
    assert full_state() == before


def test_a_merge_undo_refuses_when_the_name_is_taken_again(codebook, people):
    services.theme_merge(
        actor=people.curator,
        source=codebook["distrust"],
        target=codebook["sovereignty"],
    )
    services.theme_create(
        actor=people.curator, project=first_project(), name="Distrust"
    )
    before = full_state(), Activity.objects.count()
    with pytest.raises(ValidationError, match="exists again"):
        undo.activity_undo(
            actor=people.curator, entry=latest(Activity.Verb.THEME_MERGED)
        )
    assert (full_state(), Activity.objects.count()) == before
    assert latest(Activity.Verb.THEME_MERGED).undone_by is None


def test_a_merge_undo_refuses_when_annotations_were_deleted(codebook, people):
    services.theme_merge(
        actor=people.curator,
        source=codebook["distrust"],
        target=codebook["sovereignty"],
    )
    services.annotation_delete(actor=people.curator, annotation=codebook["only"])
    before = full_state(), Activity.objects.count()
    with pytest.raises(ValidationError, match="1 of its annotations were deleted"):
        undo.activity_undo(
            actor=people.curator, entry=latest(Activity.Verb.THEME_MERGED)
        )
    assert (full_state(), Activity.objects.count()) == before


def test_undo_of_a_retirement(codebook, people):
    before = full_state()
    services.theme_retire(actor=people.curator, theme=codebook["distrust"])
    entry = latest(Activity.Verb.THEME_RETIRED)
    undo.activity_undo(actor=people.curator, entry=entry)
    assert full_state() == before
    # Retired again and restored by hand since: nothing left to undo.
    services.theme_retire(actor=people.curator, theme=codebook["distrust"])
    again = latest(Activity.Verb.THEME_RETIRED)
    services.theme_retire(
        actor=people.curator, theme=codebook["distrust"], retired=False
    )
    with pytest.raises(ValidationError, match="restored since"):
        undo.activity_undo(actor=people.curator, entry=again)


def test_undo_of_a_deletion_brings_the_theme_children_and_memos_back(codebook, people):
    unused = ThemeFactory(
        slug="reciprocity", name="Reciprocity", parent=codebook["distrust"]
    )
    ThemeFactory(slug="give-and-take", name="Give and take", parent=unused)
    Memo.objects.create(
        project=first_project(), author=people.annotator, text="m", theme=unused
    )
    before = full_state()
    services.theme_delete(actor=people.curator, theme=unused)
    assert Theme.objects.get(slug="give-and-take").parent == codebook["distrust"]
    assert not Memo.objects.filter(text="m").exists()
    undo.activity_undo(actor=people.curator, entry=latest(Activity.Verb.THEME_DELETED))
    assert full_state() == before


def test_a_used_theme_cannot_be_deleted(codebook, people):
    before = full_state(), Activity.objects.count()
    with pytest.raises(ValidationError, match="2 annotations carry"):
        services.theme_delete(actor=people.curator, theme=codebook["distrust"])
    assert (full_state(), Activity.objects.count()) == before


def test_codebook_undo_is_for_curators(codebook, people):
    services.theme_retire(actor=people.curator, theme=codebook["distrust"])
    entry = latest(Activity.Verb.THEME_RETIRED)
    for person in (people.annotator, people.viewer, people.nobody):
        with pytest.raises(PermissionDenied):
            undo.activity_undo(actor=person, entry=entry)
    assert Theme.objects.get(slug="distrust").retired


# --- a person's own annotation changes --------------------------------------


def _create(people, paragraphs, **kwargs):
    return services.annotation_create(
        author=people.annotator,
        paragraph=paragraphs[0],
        start=0,
        end=11,
        themes=["distrust"],
        note="first",
        **kwargs,
    )


def test_undo_of_an_own_annotation(themes, paragraphs, people):
    before = full_state()
    annotation = _create(people, paragraphs)
    undo.activity_undo(actor=people.annotator, entry=latest(Activity.Verb.ANNOTATED))
    assert not Annotation.objects.filter(pk=annotation.pk).exists()
    assert full_state() == before


def test_undo_of_an_own_edit_restores_quote_offsets_themes_and_note(
    themes, paragraphs, people
):
    annotation = _create(people, paragraphs)
    before = full_state()
    services.annotation_update(
        actor=people.annotator,
        annotation=annotation,
        themes=["sovereignty", "bilateralism"],
        note="second",
        start=12,
        end=20,
    )
    assert full_state() != before
    undo.activity_undo(actor=people.annotator, entry=latest(Activity.Verb.EDITED))
    assert full_state() == before


def test_undo_of_an_own_deletion_brings_it_back_with_its_id_and_memo(
    themes, paragraphs, people
):
    annotation = _create(people, paragraphs)
    Memo.objects.create(
        project=first_project(),
        author=people.annotator,
        text="why",
        annotation=annotation,
    )
    before = full_state()
    services.annotation_delete(actor=people.annotator, annotation=annotation)
    undo.activity_undo(actor=people.annotator, entry=latest(Activity.Verb.DELETED))
    assert full_state() == before
    assert Annotation.objects.get(pk=annotation.pk).created == annotation.created


def test_an_annotation_changed_since_is_not_undone(themes, paragraphs, people):
    annotation = _create(people, paragraphs)
    created = latest(Activity.Verb.ANNOTATED)
    services.annotation_update(actor=people.annotator, annotation=annotation, note="x")
    before = full_state(), Activity.objects.count()
    with pytest.raises(ValidationError, match="changed since"):
        undo.activity_undo(actor=people.annotator, entry=created)
    assert (full_state(), Activity.objects.count()) == before


def test_only_the_author_undoes_and_only_for_thirty_minutes(themes, paragraphs, people):
    _create(people, paragraphs)
    entry = latest(Activity.Verb.ANNOTATED)
    for person in (people.other, people.curator, people.viewer):
        with pytest.raises(PermissionDenied):
            undo.activity_undo(actor=person, entry=entry)
    Activity.objects.filter(pk=entry.pk).update(
        created=entry.created - timedelta(minutes=31)
    )
    entry.refresh_from_db()
    assert not undo.can_undo(people.annotator, first_project(), entry)
    with pytest.raises(PermissionDenied, match="30 minutes"):
        undo.activity_undo(actor=people.annotator, entry=entry)
    assert Annotation.objects.count() == 1


def test_entries_without_a_snapshot_or_an_undo_are_refused(themes, people):
    services.theme_create(actor=people.curator, project=first_project(), name="New")
    entry = latest(Activity.Verb.THEME_ADDED)
    with pytest.raises(ValidationError, match="cannot be undone"):
        undo.activity_undo(actor=people.curator, entry=entry)


def test_the_registry_takes_other_verbs(themes, people, monkeypatch):
    """Another feature makes its entries undoable with one registration."""
    calls = []
    monkeypatch.setitem(
        undo.REGISTRY,
        Activity.Verb.MEMO_WRITTEN,
        undo.Undoer(may=lambda u, p, e: True, apply=lambda a, e: calls.append(e.pk)),
    )
    entry = Activity.objects.create(
        project=first_project(),
        verb=Activity.Verb.MEMO_WRITTEN,
        summary="s",
        snapshot={"memo": 1},
    )
    undo.activity_undo(actor=people.curator, entry=entry)
    assert calls == [entry.pk]
