"""Imports: round trips through W3C and REFI-QDA, foreign annotations,
deduplication, dry runs, bad files and who may import."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from annotations.exports import FORMATS
from annotations.exports.selection import ExportFilters, export_rows
from annotations.imports import ImportFileError, import_file, refi
from annotations.models import Annotation, Theme
from corpus.models import Document
from tests.factories import first_project

Snapshot = list[tuple[str, str, int, tuple[str, ...], str, str]]


def exported(name: str) -> bytes:
    exporter = FORMATS[name]
    out: Any = io.BytesIO() if exporter.binary else io.StringIO()
    exporter.module.write(export_rows(ExportFilters(project=first_project())), out)
    value = out.getvalue()
    return value if isinstance(value, bytes) else value.encode()


def snapshot() -> Snapshot:
    """What must survive a round trip: excerpt, themes, note, author."""
    return sorted(
        (
            row.document.iri,
            row.quote,
            row.document_start,
            tuple(theme.name for theme in row.themes),
            row.note,
            row.username,
        )
        for row in export_rows(ExportFilters(project=first_project()))
    )


@pytest.mark.parametrize(("fmt", "filename"), [("w3c", "a.jsonld"), ("qdpx", "a.qdpx")])
def test_round_trip(
    excerpts: list[Annotation], people: Any, fmt: str, filename: str
) -> None:
    before, data = snapshot(), exported(fmt)
    Annotation.objects.all().delete()
    report = import_file(
        project=first_project(), actor=people.curator, name=filename, data=data
    )
    assert report.created == len(excerpts), report.lines()
    assert report.unanchored == []
    assert snapshot() == before
    again = import_file(
        project=first_project(), actor=people.curator, name=filename, data=data
    )
    assert (again.created, again.duplicates) == (0, len(excerpts))
    assert Annotation.objects.count() == len(excerpts)


def test_importing_our_own_export_while_it_exists_adds_nothing(
    excerpts: list[Annotation], people: Any
) -> None:
    report = import_file(
        project=first_project(),
        actor=people.curator,
        name="a.jsonld",
        data=exported("w3c"),
    )
    assert (report.created, report.duplicates) == (0, len(excerpts))


def foreign(exact: str, **extra: Any) -> bytes:
    """A minimal annotation from another tool: a quote and a tag only."""
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://example.org/anno/1",
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "distrust"},
        "target": {
            "source": "https://example.org/some-copy.html",
            "selector": {"type": "TextQuoteSelector", "exact": exact},
        },
        **extra,
    }
    return json.dumps(annotation).encode()


def test_a_minimal_foreign_annotation_is_anchored_once(
    corpus: list[Document], people: Any, themes: dict[str, Theme]
) -> None:
    paragraph = corpus[0].paragraphs.filter(kind="paragraph")[2]
    exact = paragraph.text[10:60]
    report = import_file(
        project=first_project(),
        actor=people.curator,
        name="x.json",
        data=foreign(exact),
    )
    assert report.created == 1, report.lines()
    made = Annotation.objects.get()
    assert (made.paragraph, made.quote) == (paragraph, exact)
    assert made.author == people.curator  # no creator: the importing person
    assert list(made.themes.all()) == [themes["distrust"]]
    assert made.source_id == "https://example.org/anno/1"
    again = import_file(
        project=first_project(),
        actor=people.curator,
        name="x.json",
        data=foreign(exact),
    )
    assert (again.created, again.duplicates) == (0, 1)


def test_unknown_creators_and_new_tags_are_reported(
    corpus: list[Document], people: Any, themes: dict[str, Theme]
) -> None:
    exact = corpus[0].paragraphs.filter(kind="paragraph")[2].text[10:60]
    data = foreign(exact, creator={"type": "Person", "name": "Zoë Unknown"})
    data = data.replace(b'"distrust"', b'"Trust repair"')
    report = import_file(
        project=first_project(),
        actor=people.curator,
        name="x.json",
        data=data,
        as_user=people.annotator,
    )
    assert Annotation.objects.get().author == people.annotator
    assert report.themes_created == ["Trust repair"]
    assert any("Zoë Unknown" in line for line in report.lines())


def test_quotes_not_in_the_text_are_reported(
    corpus: list[Document], people: Any, themes: dict[str, Theme]
) -> None:
    report = import_file(
        project=first_project(),
        actor=people.curator,
        name="x.json",
        data=foreign("no such words here at all"),
    )
    assert report.created == 0
    assert "is not in the text" in report.unanchored[0]


def test_dry_run_changes_nothing(excerpts: list[Annotation], people: Any) -> None:
    data = exported("qdpx")
    Annotation.objects.all().delete()
    themes_before = list(Theme.objects.values_list("name", "colour"))
    report = import_file(
        project=first_project(),
        actor=people.curator,
        name="a.qdpx",
        data=data,
        dry_run=True,
    )
    assert report.created == len(excerpts)
    assert "would import" in report.lines()[0]
    assert Annotation.objects.count() == 0
    assert list(Theme.objects.values_list("name", "colour")) == themes_before


def test_codebook_adds_and_updates_themes(
    excerpts: list[Annotation], people: Any, themes: dict[str, Theme]
) -> None:
    data = exported("qdc").decode()
    distrust = themes["distrust"]
    data = data.replace('name="Distrust"', 'name="Mistrust"').replace(
        "</Codes>",
        '<Code guid="0b1c2d3e-0000-4000-8000-000000000001" name="Trust" '
        'isCodable="true" color="#abc"><Description>Signs of trust.</Description>'
        "</Code></Codes>",
    )
    report = import_file(
        project=first_project(), actor=people.curator, name="c.qdc", data=data.encode()
    )
    assert report.themes_created == ["Trust"]
    distrust.refresh_from_db()
    assert distrust.name == "Mistrust"
    trust = Theme.objects.get(name="Trust")
    assert (trust.colour, str(trust.guid)) == (
        "#aabbcc",
        "0b1c2d3e-0000-4000-8000-000000000001",
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.json", b"{not json", "not JSON"),  # broken JSON
        ("x.json", b"[]", "No Web Annotations"),  # nothing to import
        ("x.json", b"\xff\xfe\x00", "not UTF-8"),  # binary junk
        ("x.qdc", b"<CodeBook", "not well-formed XML"),  # broken XML
        ("x.qdc", b"<Other/>", "Not a REFI-QDA codebook"),  # wrong root
        ("x.qdpx", b"not a zip", "must be a zip"),  # not an archive
    ],
)
def test_bad_files_say_why(people: Any, name: str, data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        import_file(project=first_project(), actor=people.curator, name=name, data=data)


def test_a_project_without_project_qde(people: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sources/x.txt", "text")
    with pytest.raises(ImportFileError, match="no project.qde"):
        import_file(
            project=first_project(),
            actor=people.curator,
            name="p.qdpx",
            data=buffer.getvalue(),
        )


def test_only_curators_import(people: Any) -> None:
    for person in (people.viewer, people.annotator):
        with pytest.raises(PermissionDenied):
            import_file(
                project=first_project(), actor=person, name="x.json", data=b"[]"
            )


def _with_positions(data: bytes, start: str, end: str) -> bytes:
    """Our own .qdpx export with the first selection's positions replaced."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "project.qde":
                text = re.sub(
                    r'startPosition="\d+" endPosition="\d+"',
                    f'startPosition="{start}" endPosition="{end}"',
                    content.decode(),
                    count=1,
                )
                content = text.encode()
            archive.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("x", "4", "not whole numbers"),  # not a number
        ("²", "4", "not whole numbers"),  # passes isdigit(), crashes int()
        ("-3", "4", "not whole numbers"),  # negative
        ("9", "4", "outside its source"),  # end before start
        ("0", "99999999", "outside its source"),  # past the end of the text
    ],
)
def test_malformed_positions_say_why_and_import_nothing(
    excerpts: list[Annotation], people: Any, start: str, end: str, message: str
) -> None:
    data = _with_positions(exported("qdpx"), start, end)
    Annotation.objects.all().delete()
    with pytest.raises(ImportFileError, match=message):
        import_file(
            project=first_project(), actor=people.curator, name="a.qdpx", data=data
        )
    assert Annotation.objects.count() == 0


def _project(sources: int = 0, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal project.qde with ``sources`` text sources no document matches."""
    body = "".join(
        f'<TextSource guid="{i:08d}-0000-4000-8000-000000000000" name="s{i}.txt">'
        f"<PlainTextContent>unmatched text {i}</PlainTextContent></TextSource>"
        for i in range(sources)
    )
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
        f"<Sources>{body}</Sources></Project>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(people: Any) -> None:
    data = _project(extra={"sources/big.txt": bytes(50 * 1024 * 1024)})
    assert len(data) < 100_000  # 50 MB of zeros packs into a few kilobytes
    with pytest.raises(ImportFileError, match="a zip bomb"):
        import_file(
            project=first_project(), actor=people.curator, name="p.qdpx", data=data
        )


def test_a_project_too_big_unpacked_is_refused(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refi, "MAX_UNPACKED", 1000)
    data = _project(extra={"sources/a.txt": os.urandom(2000)})
    with pytest.raises(ImportFileError, match="unpacks to more than"):
        import_file(
            project=first_project(), actor=people.curator, name="p.qdpx", data=data
        )


def test_unmatched_sources_build_each_document_text_once(
    corpus: list[Document], people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = refi.document_info
    monkeypatch.setattr(refi, "document_info", lambda d: calls.append(d.pk) or real(d))
    report = import_file(
        project=first_project(), actor=people.curator, name="p.qdpx", data=_project(200)
    )
    assert len(report.notes) == 200  # each unmatched source is reported
    assert sorted(calls) == sorted(d.pk for d in corpus)  # once per document
