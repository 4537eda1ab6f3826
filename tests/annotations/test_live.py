"""Live updates of the reading page: the change cursor written by the
services, the "changes since" endpoint (built on the reader's own selector),
its ETag/304, and presence (throttled writes, a 30-second window)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations import live, services
from annotations.models import AnnotationChange, ReaderPresence

pytestmark = pytest.mark.django_db

LIVE = "/api/documents/doc/live"


def tag(people, paragraphs, start=0, end=11, who=None):
    return services.annotation_create(
        author=who or people.annotator,
        paragraph=paragraphs[0],
        start=start,
        end=end,
        themes=["sovereignty"],
    )


def test_each_write_adds_a_change_in_cursor_order(people, paragraphs, themes):
    annotation = tag(people, paragraphs)
    services.annotation_update(actor=people.annotator, annotation=annotation, note="n")
    services.annotations_bulk_create(
        author=people.other,
        project=paragraphs[0].document.project,
        theme="distrust",
        items=[services.SpanRequest(paragraphs[1].pk)],
    )
    services.annotation_delete(actor=people.annotator, annotation=annotation)
    rows = AnnotationChange.objects.order_by("id")
    kinds = [(c.kind, c.annotation_id == annotation.pk) for c in rows]
    assert kinds == [
        ("created", True),
        ("edited", True),
        ("created", False),
        ("deleted", True),
    ]


def test_a_refused_write_adds_no_change(people, paragraphs, themes):
    with pytest.raises(services.ValidationError):
        services.annotation_create(
            author=people.annotator,
            paragraph=paragraphs[0],
            start=0,
            end=5,
            themes=["no-such"],
        )
    assert not AnnotationChange.objects.exists()


def test_the_endpoint_sends_changes_after_the_cursor(
    api_as, people, paragraphs, themes
):
    client = api_as(people.viewer)  # a viewer reads live updates too
    first = client.get(LIVE).json()
    assert (first["cursor"], first["annotations"], first["removed"]) == (0, [], [])
    annotation = tag(people, paragraphs)
    body = client.get(LIVE, since=first["cursor"]).json()
    assert [a["id"] for a in body["annotations"]] == [annotation.pk]
    assert body["annotations"][0]["themes"] == ["sovereignty"]
    assert body["annotations"][0]["can_change"] is False
    cursor = body["cursor"]
    assert cursor > 0
    assert client.get(LIVE, since=cursor).json()["annotations"] == []
    services.annotation_delete(actor=people.annotator, annotation=annotation)
    gone = client.get(LIVE, since=cursor).json()
    assert (gone["annotations"], gone["removed"]) == ([], [annotation.pk])


def test_an_edit_is_sent_with_its_new_version(api_as, people, paragraphs, themes):
    annotation = tag(people, paragraphs)
    cursor = live.current_cursor(paragraphs[0].document)
    services.annotation_update(actor=people.annotator, annotation=annotation, note="z")
    body = api_as(people.other).get(LIVE, since=cursor).json()
    assert [(a["note"], a["version"]) for a in body["annotations"]] == [("z", 2)]


def test_changes_come_from_the_readers_selector(
    api_as, people, paragraphs, themes, monkeypatch
):
    """A visibility rule added to ``annotations_matching`` (blind rounds)
    applies to live updates: what it hides is sent as removed."""
    annotation = tag(people, paragraphs)
    real = live.selectors.annotations_matching
    monkeypatch.setattr(
        live.selectors,
        "annotations_matching",
        lambda filters: real(filters).exclude(author=people.annotator),
    )
    body = api_as(people.other).get(LIVE).json()
    assert body["annotations"] == []
    assert body["removed"] == [annotation.pk]


def test_nothing_new_with_the_etag_is_a_304(api_as, people, paragraphs, themes):
    client = api_as(people.viewer)
    first = client.get(LIVE, since=0)
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    again = client.client.get(LIVE, {"since": 0}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    tag(people, paragraphs)
    changed = client.client.get(LIVE, {"since": 0}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert len(changed.json()["annotations"]) == 1


def test_readers_are_the_others_seen_in_the_last_30_seconds(api_as, people, paragraphs):
    api_as(people.annotator).get(LIVE)
    api_as(people.curator).get(LIVE)
    body = api_as(people.viewer).get(LIVE).json()
    assert [r["username"] for r in body["readers"]] == ["ana", "cleo"]
    old = timezone.now() - dt.timedelta(seconds=live.PRESENCE_WINDOW + 1)
    ReaderPresence.objects.filter(user=people.curator).update(seen=old)
    body = api_as(people.annotator).get(LIVE).json()
    assert [r["username"] for r in body["readers"]] == ["vera"]


def test_presence_writes_at_most_once_per_interval(people, document):
    assert live.presence_touch(user=people.viewer, document=document) is True
    assert live.presence_touch(user=people.viewer, document=document) is False
    stale = timezone.now() - dt.timedelta(seconds=live.PRESENCE_WRITE_EVERY + 1)
    ReaderPresence.objects.update(seen=stale)
    assert live.presence_touch(user=people.viewer, document=document) is True
    assert ReaderPresence.objects.count() == 1


def test_a_poll_with_nothing_to_record_does_not_write(api_as, people, document):
    client = api_as(people.viewer)
    client.get(LIVE)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIVE).status_code == 200
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []


def test_another_projects_or_an_unknown_document_is_404(api_as, people, document):
    response = api_as(people.viewer).get("/api/documents/no-such-doc/live")
    assert response.status_code == 404
    assert response.json() == {"error": "No such document."}


def test_a_bad_cursor_is_a_400(api_as, people, document):
    response = api_as(people.viewer).get(LIVE, since="-1")
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


def test_too_many_changes_ask_for_a_reload(
    api_as, people, paragraphs, themes, monkeypatch
):
    for start in range(3):
        tag(people, paragraphs, start=start, end=start + 5)
    monkeypatch.setattr(live, "MAX_CHANGES", 2)
    body = api_as(people.viewer).get(LIVE).json()
    assert body["reset"] is True
    assert body["cursor"] == live.current_cursor(paragraphs[0].document)


def test_the_reader_config_carries_the_cursor(signed_in, people, paragraphs, themes):
    tag(people, paragraphs)
    page = signed_in(people.viewer).get("/documents/doc/").content.decode()
    cursor = live.current_cursor(paragraphs[0].document)
    assert f'"liveCursor": {cursor}' in page
    assert 'id="live-news"' in page and 'id="live-readers"' in page
