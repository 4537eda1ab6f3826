"""Management commands, run through call_command with their output asserted."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.roles import Role, role_of
from corpus.models import Document, Paragraph
from tests.conftest import PNG_BYTES, draft
from tests.factories import (
    DocumentFactory,
    ParagraphFactory,
    ProjectFactory,
    first_project,
)

pytestmark = pytest.mark.django_db

TEXT = "A first paragraph about sovereignty.\n\nA second one about distrust.\n"
EXPORT_KEYS = [
    "document",
    "document_title",
    "document_iri",
    "position",
    "kind",
    "section",
    "page",
    "lang",
    "label",
    "text",
]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str, CommandError]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), excinfo.value


def snapshot() -> list[tuple]:
    return list(
        Paragraph.objects.order_by("id").values_list("id", "document_id", "text")
    )


# --- ingest -----------------------------------------------------------------


def test_ingest_prints_one_summary_line_per_file(write_source, stub_pipeline):
    stub_pipeline(
        draft("heading", "Intro"),
        draft("paragraph", "Text."),
        draft("paragraph", "More."),
        draft("reference", "Ref."),
    )
    a, b = write_source("a.txt", "x"), write_source("b.txt", "y")
    out, err = run("ingest", str(a), str(b))
    assert out.splitlines() == [
        "a.txt: created — 1 heading, 2 paragraph, 0 footnote, 1 reference, 0 meta",
        "b.txt: created — 1 heading, 2 paragraph, 0 footnote, 1 reference, 0 meta",
    ]
    assert err == ""


def test_ingest_a_folder_takes_its_source_files(write_source, tmp_path):
    write_source("a.txt", TEXT)
    write_source("b.md", TEXT)
    write_source("notes.json", "{}")
    out, err = run("ingest", str(tmp_path / "sources"))
    assert [line.split(":")[0] for line in out.splitlines()] == ["a.txt", "b.md"]
    assert err == ""


def test_ingest_force_reprocesses_an_unchanged_file(write_source):
    path = write_source("a.txt", TEXT)
    run("ingest", str(path))
    before = snapshot()
    out, _ = run("ingest", "--force", str(path))
    assert out.startswith("a.txt: updated — ")
    after = snapshot()
    assert [text for _, _, text in after] == [text for _, _, text in before]
    assert {pk for pk, _, _ in after}.isdisjoint({pk for pk, _, _ in before})


def test_ingest_twice_reports_unchanged_and_changes_nothing(write_source):
    path = write_source("a.txt", TEXT)
    first, _ = run("ingest", str(path))
    before = snapshot()
    ingested_at = Document.objects.get().ingested_at
    second, _ = run("ingest", str(path))
    assert first.startswith("a.txt: created — ")
    assert second == first.replace("created", "unchanged")
    assert snapshot() == before
    assert Document.objects.get().ingested_at == ingested_at


def test_ingest_changed_file_replaces_its_records(write_source):
    path, other = write_source("a.txt", TEXT), write_source("b.txt", TEXT)
    run("ingest", str(path), str(other))
    other_records = [row for row in snapshot() if row[1] != _doc_id("a.txt")]
    path.write_text("Entirely new content.\n", encoding="utf-8")
    out, _ = run("ingest", str(path), str(other))
    assert out.splitlines()[0].startswith("a.txt: updated — ")
    assert out.splitlines()[1].startswith("b.txt: unchanged — ")
    texts = Paragraph.objects.filter(document__source_name="a.txt")
    assert list(texts.values_list("text", flat=True)) == ["Entirely new content."]
    assert [row for row in snapshot() if row[1] != _doc_id("a.txt")] == other_records


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.txt", b""),  # empty file
        ("image.png", PNG_BYTES),  # binary
        ("broken.txt", b"Caf\x81 \x8d\x8f\x90\x9d text"),  # undecodable bytes
        ("missing.txt", None),  # path that does not exist
    ],
)
def test_ingest_bad_file_errors_and_leaves_others_untouched(
    write_source, name, content
):
    good = write_source("good.txt", TEXT)
    untouched = write_source("untouched.txt", TEXT)
    run("ingest", str(untouched))
    before = snapshot()
    bad = write_source(name, content) if content is not None else good.parent / name
    out, err, error = run_failing("ingest", str(bad), str(good), str(untouched))
    assert not any(line.startswith(name) for line in out.splitlines())
    assert out.splitlines()[0].startswith("good.txt: created — ")
    assert out.splitlines()[1].startswith("untouched.txt: unchanged — ")
    assert err.startswith(f"{name}: error: ")
    assert name in str(error) and "1 of 3" in str(error)
    assert not Document.objects.filter(source_name=name).exists()
    untouched_id = _doc_id("untouched.txt")
    assert [row for row in snapshot() if row[1] == untouched_id] == before


def test_ingest_bad_file_keeps_the_previous_version(write_source):
    path = write_source("a.txt", TEXT)
    run("ingest", str(path))
    before = snapshot()
    path.write_bytes(b"")
    _, err, _ = run_failing("ingest", str(path))
    assert "a.txt" in err
    assert snapshot() == before


def test_ingest_default_is_the_bundled_corpus():
    out, err = run("ingest")
    assert Document.objects.count() == 5
    assert len(out.splitlines()) == 5
    assert all(" created — " in line for line in out.splitlines())
    assert err == ""
    for document in Document.objects.with_kind_counts():
        assert sum(document.kind_counts().values()) > 0


def test_ingest_explicit_bundled_path_takes_manifest_metadata(settings, tmp_path: Path):
    settings.GLOSS_SOURCES_DIR = tmp_path
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "manifest.json").write_text(
        json.dumps({"a.txt": {"title": "From the manifest", "year": 2009}})
    )
    run("ingest", str(tmp_path / "a.txt"))
    document = Document.objects.get()
    assert (document.title, document.year) == ("From the manifest", 2009)


def test_ingest_with_a_broken_manifest_is_a_clear_error(settings, tmp_path: Path):
    settings.GLOSS_SOURCES_DIR = tmp_path
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "manifest.json").write_text("{")
    _, _, error = run_failing("ingest")
    assert "manifest.json" in str(error)
    assert not Document.objects.exists()


# --- export_paragraphs -------------------------------------------------------


@pytest.fixture
def two_documents() -> None:
    second = DocumentFactory(source_name="b.txt", slug="b", title="B")
    first = DocumentFactory(source_name="a.txt", slug="a", title="A", iri="urn:a")
    ParagraphFactory(document=second, position=0, text="b0")
    ParagraphFactory(document=first, position=1, kind="footnote", page=None, text="a1")
    ParagraphFactory(document=first, position=0, kind="heading", text="Gaël «a0»")


def test_export_keys_and_order(two_documents):
    out, _ = run("export_paragraphs")
    records = [json.loads(line) for line in out.splitlines()]
    assert [list(r) for r in records] == [EXPORT_KEYS] * 3
    assert [(r["document"], r["position"]) for r in records] == [
        ("a.txt", 0),
        ("a.txt", 1),
        ("b.txt", 0),
    ]
    assert records[0] == {
        "document": "a.txt",
        "document_title": "A",
        "document_iri": "urn:a",
        "position": 0,
        "kind": "heading",
        "section": "Introduction",
        "page": 1,
        "lang": "en",
        "label": "",
        "text": "Gaël «a0»",
    }
    assert records[1]["page"] is None
    assert "Gaël «a0»" in out  # UTF-8, not \u escapes


def test_export_one_document(two_documents):
    out, _ = run("export_paragraphs", "--document", "b.txt")
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["b0"]


def test_export_unknown_document_is_an_error(two_documents):
    _, _, error = run_failing("export_paragraphs", "--document", "nope.txt")
    assert "nope.txt" in str(error)


def test_export_is_of_one_project(two_documents):
    other = ProjectFactory(slug="other")
    elsewhere = DocumentFactory(project=other, source_name="c.txt", slug="c")
    ParagraphFactory(document=elsewhere, position=0, text="c0")
    first, _ = run("export_paragraphs")
    assert "c0" not in first
    out, _ = run("export_paragraphs", "--project", "other")
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["c0"]
    _, _, error = run_failing("export_paragraphs", "--document", "c.txt")
    assert "c.txt" in str(error)  # another project's document is not found


def test_export_to_file(two_documents, tmp_path: Path):
    target = tmp_path / "out.jsonl"
    target.write_text("old content\n")
    out, err = run("export_paragraphs", "--output", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["Gaël «a0»", "a1", "b0"]
    assert out == ""
    assert "3 records" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temp left


def test_export_to_missing_folder_is_an_error(two_documents, tmp_path: Path):
    _, _, error = run_failing(
        "export_paragraphs", "--output", str(tmp_path / "no" / "out.jsonl")
    )
    assert "does not exist" in str(error)


# --- ensure_admin --------------------------------------------------------------


def test_ensure_admin_creates_admin_once_with_a_random_password():
    out, _ = run("ensure_admin")
    password = out.split("password: ", 1)[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert role_of(admin, first_project()) is Role.ADMIN
    assert admin.memberships.get().role == Role.ADMIN
    assert admin.check_password(password)
    assert len(password) >= 16
    again, _ = run("ensure_admin")
    assert password not in again
    assert "already exists" in again
    assert get_user_model().objects.count() == 1


def test_ensure_admin_passwords_differ_between_databases():
    first, _ = run("ensure_admin")
    get_user_model().objects.all().delete()
    second, _ = run("ensure_admin")
    assert first != second


def test_ensure_admin_does_nothing_when_another_superuser_exists():
    get_user_model().objects.create_superuser("someone", "", "pw-long-enough-1")
    out, _ = run("ensure_admin")
    assert "already exists" in out
    assert not get_user_model().objects.filter(username="admin").exists()


def _doc_id(source_name: str) -> int:
    return Document.objects.get(source_name=source_name).pk


def test_ingest_with_no_bundled_files_is_an_error(settings, tmp_path: Path):
    settings.GLOSS_SOURCES_DIR = tmp_path
    _, _, error = run_failing("ingest")
    assert "No source files" in str(error)
