"""The search hook: every write that changes a paragraph's themes calls
search_sync.paragraphs_changed with exactly those paragraph ids, inside the
service's transaction; and the indexer's read, themes_by_paragraph."""

from __future__ import annotations

import pytest

from annotations import search_sync, services
from annotations.selectors import themes_by_paragraph
from annotations.services import SpanRequest
from search.models import IndexOutbox
from tests.factories import first_project

pytestmark = pytest.mark.django_db


def create(people, paragraph, themes=("sovereignty",), author=None):
    return services.annotation_create(
        author=author or people.annotator,
        paragraph=paragraph,
        start=0,
        end=5,
        themes=list(themes),
    )


def test_the_hook_queues_index_updates_in_the_outbox(paragraphs):
    ids = [paragraphs[1].pk, paragraphs[0].pk, paragraphs[1].pk]
    IndexOutbox.objects.all().delete()
    search_sync.paragraphs_changed(ids)
    queued = sorted(IndexOutbox.objects.values_list("paragraph_id", flat=True))
    assert queued == sorted({paragraphs[0].pk, paragraphs[1].pk})


def test_a_new_tag_is_found_by_the_theme_filter_in_the_next_request(
    people, paragraphs, themes, api_as
):
    """Within one request of tagging: POST the annotation, then search by theme."""
    paragraph = paragraphs[0]
    word = paragraph.text.split()[0].strip(".,;:").lower()
    reader = api_as(people.annotator)
    before = reader.get(f"/api/search?q={word}&theme=distrust").json()
    assert before["total"] == 0
    created = reader.post(
        "/api/annotations",
        {"paragraph": paragraph.pk, "start": 0, "end": 5, "themes": ["distrust"]},
    )
    assert created.status_code == 201
    after = reader.get(f"/api/search?q={word}&theme=distrust").json()
    assert [r["paragraph"]["id"] for r in after["results"]] == [paragraph.pk]
    assert after["results"][0]["themes"] == ["distrust"]
    theme_facet = {f["value"]: f["count"] for f in after["facets"]["theme"]}
    assert theme_facet == {"distrust": 1}


def test_create_update_delete_notify_their_paragraph(people, paragraphs, themes, hook):
    annotation = create(people, paragraphs[1])
    services.annotation_update(
        actor=people.annotator, annotation=annotation, themes=["distrust"]
    )
    services.annotation_delete(actor=people.annotator, annotation=annotation)
    assert hook.calls == [[paragraphs[1].pk]] * 3
    assert hook.in_transaction == [True] * 3
    # Whose change it is: their next search waits for it (search.outbox).
    assert hook.actors == [people.annotator.pk] * 3


def test_failed_write_notifies_nothing(people, paragraphs, themes, hook):
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do
        create(people, paragraphs[0], themes=["nope"])
    assert hook.calls == []


def test_bulk_notifies_once_with_every_paragraph(people, paragraphs, themes, hook):
    items = [SpanRequest(p.pk) for p in paragraphs]
    services.annotations_bulk_create(
        project=first_project(), author=people.annotator, theme="distrust", items=items
    )
    assert hook.calls == [sorted(p.pk for p in paragraphs)]
    assert hook.actors == [people.annotator.pk]


def test_theme_changes_notify_the_paragraphs_that_carry_it(
    people, paragraphs, themes, hook
):
    create(people, paragraphs[0], ["distrust"])
    create(people, paragraphs[2], ["distrust", "sovereignty"])
    create(people, paragraphs[1], ["bilateralism"])
    hook.clear()
    carrying = sorted([paragraphs[0].pk, paragraphs[2].pk])
    services.theme_update(actor=people.curator, theme=themes["distrust"], name="Doubt")
    services.theme_retire(actor=people.curator, theme=themes["distrust"])
    services.theme_retire(actor=people.curator, theme=themes["distrust"], retired=False)
    services.theme_merge(
        actor=people.curator, source=themes["distrust"], target=themes["bilateralism"]
    )
    assert hook.calls == [carrying] * 4
    assert all(hook.in_transaction)


def test_editing_a_definition_without_renaming_does_not_notify(
    people, paragraphs, themes, hook
):
    create(people, paragraphs[0], ["distrust"])
    hook.clear()
    services.theme_update(
        actor=people.curator, theme=themes["distrust"], description="Clearer words."
    )
    assert hook.calls == []


def test_themes_by_paragraph(people, paragraphs, themes):
    create(people, paragraphs[0], ["sovereignty", "distrust"])
    create(people, paragraphs[0], ["distrust"], author=people.other)
    create(people, paragraphs[1], ["bilateralism"])
    services.theme_retire(actor=people.curator, theme=themes["bilateralism"])
    ids = [p.pk for p in paragraphs]
    assert themes_by_paragraph(ids) == {
        ids[0]: ["distrust", "sovereignty"],
        ids[1]: ["bilateralism"],  # retired themes stay on their paragraphs
        ids[2]: [],
    }
    assert themes_by_paragraph([]) == {}
