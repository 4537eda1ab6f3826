"""manage.py search and search_index, through call_command with their output."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from corpus.models import Paragraph
from search.backend import get_backend
from search.models import IndexOutbox
from tests.search.conftest import paragraph

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_search_prints_a_readable_list(small_corpus):
    out = run("search", "cooperation")
    assert out.startswith("3 results for “cooperation” (page 1 of 1)")
    title = "1. Obstacles for Security Cooperation · Introduction"
    assert f"{title}  [000-obstacles ¶2, paragraph" in out
    assert "Security [cooperation] in North America grew after 2001." in out
    assert "/documents/000-obstacles/?hl=2#p-2" in out


def test_search_json_is_the_api_shape(small_corpus, client):
    out = run("search", "--json", "--limit", "2", "cooperation")
    assert (
        json.loads(out)
        == client.get("/api/search", {"q": "cooperation", "page_size": 2}).json()
    )


def test_search_filters_and_words_as_separate_arguments(small_corpus):
    data = json.loads(
        run("search", "--json", "--kind", "reference", "smith", "cooperation")
    )
    assert [r["paragraph"]["position"] for r in data["results"]] == [6]
    data = json.loads(
        run(
            "search",
            "--json",
            "--lang",
            "fr",
            "--document",
            "000_obstacles.txt",
            "souverainete",
        )
    )
    assert data["total"] == 1


def test_search_reports_corrections(small_corpus):
    out = run("search", "distrst")
    assert "showing results for “distrust”" in out


def test_search_malformed_query_is_a_command_error(small_corpus):
    with pytest.raises(CommandError, match="quotation mark"):
        run("search", '"unclosed')
    with pytest.raises(CommandError, match="at least 3 letters"):
        run("search", "co*")


def test_status(small_corpus):
    IndexOutbox.objects.create(paragraph_id=paragraph(small_corpus, 2).id)
    out = run("search_index", "status")
    assert "Records in the database: 7\n" in out
    assert "Records in the index:    7\n" in out
    assert "Pending outbox rows:     1\n" in out


def test_rebuild(small_corpus):
    out = run("search_index", "rebuild")
    assert out.startswith("Rebuilt the search index: 7 records (build-")
    assert get_backend().count() == 7


def test_rebuild_settles_the_changes_queued_before_it(small_corpus):
    """The rebuild read them from the database: not applied a second time
    (after a big first ingest that was every record again, in small batches)."""
    record = paragraph(small_corpus, 2)
    Paragraph.objects.filter(pk=record.pk).update(text="Zebrafinch words.")
    IndexOutbox.objects.create(paragraph_id=record.pk)
    out = run("search_index", "rebuild")
    assert "Applied" not in out
    assert IndexOutbox.objects.count() == 0
    assert get_backend().drift().clean


def test_drain(small_corpus):
    IndexOutbox.objects.create(paragraph_id=paragraph(small_corpus, 2).id)
    assert run("search_index", "drain") == "Applied 1 pending change.\n"
    assert IndexOutbox.objects.count() == 0


def test_verify_finds_and_repairs_drift(small_corpus):
    assert (
        run("search_index", "verify") == "The index matches the database (7 records).\n"
    )
    # Drift behind the outbox's back: a changed text, a deleted and a new record.
    Paragraph.objects.filter(pk=paragraph(small_corpus, 2).pk).update(
        text="Changed words."
    )
    paragraph(small_corpus, 3).delete()
    Paragraph.objects.create(
        document=small_corpus, position=99, kind="paragraph", text="New"
    )
    with pytest.raises(CommandError, match="does not match"):
        run("search_index", "verify", "--check")
    out = run("search_index", "verify")
    assert (
        "Drift: 1 missing from the index, 1 extra in the index, 1 out of date." in out
    )
    assert out.endswith("Repaired; the index matches the database (7 records).\n")
    assert run("search", "changed").startswith("1 result")


def test_status_and_verify_on_a_missing_index(db):
    out = run("search_index", "status")
    assert "Records in the index:    0" in out and "(none)" in out
    assert (
        run("search_index", "verify") == "The index matches the database (0 records).\n"
    )
