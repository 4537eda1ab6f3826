"""Each export format on real excerpts of the bundled corpus: the CSV opens
with accents, the books group by theme, REFI-QDA validates against the XSDs
and every W3C annotation meets the MUST assertions."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from annotations.exports import FORMATS
from annotations.exports.selection import ExportFilters, ExportRows, export_rows
from annotations.models import Annotation
from corpus.ingestion.extract import read_layout
from corpus.ingestion.pipeline import process
from tests.annotations.exports.conftest import shared_path
from tests.factories import first_project


def render(name: str, rows: Any) -> bytes:
    exporter = FORMATS[name]
    if exporter.binary:
        out = io.BytesIO()
        exporter.module.write(rows, out)
        return out.getvalue()
    text = io.StringIO()
    exporter.module.write(rows, text)
    return text.getvalue().encode("utf-8")


def fresh() -> ExportRows:
    return export_rows(ExportFilters(project=first_project()))


def test_csv_has_a_bom_and_round_trips_accents(excerpts: list[Annotation]) -> None:
    data = render("csv", fresh())
    assert data.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == len(excerpts)
    noted = [row for row in table if row["note"]]
    assert noted[0]["note"] == "Méfiance — déjà vu; “quoted”, comma"
    assert noted[0]["themes"] == "Distrust; Sovereignty"
    assert {row["annotator"] for row in table} == {"ana", "ben"}
    for row in table:
        assert row["quote"] in row["context"]
        # absolute, at the configured site address (the command line's default)
        assert row["link"].startswith("http://localhost:8000/documents/")


def test_csv_cells_never_start_a_formula(excerpts: list[Annotation]) -> None:
    formulas = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx"]
    for annotation, note in zip(excerpts, formulas, strict=False):
        annotation.note = note
        annotation.save(update_fields=["note"])
    table = list(
        csv.DictReader(io.StringIO(render("csv", fresh()).decode("utf-8-sig")))
    )
    notes = {row["note"] for row in table}
    assert {"'" + note for note in formulas} <= notes
    # the exact text is kept in JSON Lines
    lines = render("jsonl", fresh()).decode().splitlines()
    assert set(formulas) <= {json.loads(line)["note"] for line in lines}


def test_markdown_shows_raw_html_as_text(excerpts: list[Annotation]) -> None:
    excerpts[0].note = "<script>alert(1)</script> & <b>x</b>"
    excerpts[0].save(update_fields=["note"])
    text = render("md", fresh()).decode()
    assert re.search(r"(?<!\\)<", text) is None  # every "<" escaped
    assert "\\<script>alert(1)\\</script> & \\<b>x\\</b>" in text


def test_jsonl_has_the_same_fields(excerpts: list[Annotation]) -> None:
    lines = render("jsonl", fresh()).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(excerpts)
    assert records[0]["themes"] == ["Distrust", "Sovereignty"]
    assert isinstance(records[0]["authors"], list)


def test_markdown_book_groups_by_theme(excerpts: list[Annotation]) -> None:
    text = render("md", fresh()).decode()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Bilateralism", "## Distrust", "## Sovereignty"]
    assert text.count("\n> — ") == len(excerpts) + len(excerpts) // 2
    assert "Note: Méfiance — déjà vu" in text


def test_docx_book_is_a_word_package(
    excerpts: list[Annotation], tmp_path: Path
) -> None:
    archive = zipfile.ZipFile(io.BytesIO(render("docx", fresh())))
    assert archive.testzip() is None
    names = set(archive.namelist())
    assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= names
    # every part is well-formed XML, and every part a relationship names exists
    parts = {name: etree.fromstring(archive.read(name)) for name in names}
    types = {
        e.get("PartName")
        for e in parts["[Content_Types].xml"].iter()
        if e.get("PartName")
    }
    assert "/word/document.xml" in types
    for name, root in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = name.replace("_rels/", "").removesuffix(".rels").rpartition("/")[0]
        for rel in root:
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target")))
            assert target.lstrip("/") in names, (name, rel.get("Target"))
    # the readers' view: our own DOCX reader finds the excerpts and headings
    path = tmp_path / "book.docx"
    path.write_bytes(render("docx", fresh()))
    records = process(read_layout(path)).paragraphs
    text = " ".join(r.text for r in records)
    assert "Bilateralism" in [r.text for r in records if r.kind == "heading"]
    assert "Méfiance" in text
    quotes = {" ".join(a.quote.split()) for a in excerpts}
    assert all(quote in text for quote in quotes)


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_path("refi-qda", name))))


def test_qdc_validates(excerpts: list[Annotation]) -> None:
    document = etree.fromstring(render("qdc", fresh()))
    _schema("Codebook.xsd").assertValid(document)
    codes = document.findall(".//{urn:QDA-XML:codebook:1.0}Code")
    assert {code.get("name") for code in codes} >= {"Distrust", "Sovereignty"}


def test_qdpx_validates_and_positions_point_at_the_quotes(
    excerpts: list[Annotation],
) -> None:
    archive = zipfile.ZipFile(io.BytesIO(render("qdpx", fresh())))
    project = etree.fromstring(archive.read("project.qde"))
    _schema("Project.xsd").assertValid(project)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    quotes = {a.quote for a in excerpts}
    found = 0
    for source in project.iterfind(".//q:TextSource", ns):
        raw = archive.read(f"sources/{source.get('guid')}.txt")
        assert not raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode()
        for selection in source.iterfind("q:PlainTextSelection", ns):
            start, end = (
                int(selection.get("startPosition")),
                int(selection.get("endPosition")),
            )
            assert text[start:end] in quotes
            assert selection.find("q:Coding/q:CodeRef", ns) is not None
            found += 1
    assert found == len(excerpts)
    users = project.findall(".//q:User", ns)
    assert {user.get("id") for user in users} == {"ana", "ben"}


def check_w3c(path: Path) -> subprocess.CompletedProcess[str]:
    checker = shared_path("w3c-annotation-tests", "check_annotation.py")
    return subprocess.run(
        [sys.executable, str(checker), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_w3c_annotations_meet_every_must(
    excerpts: list[Annotation], tmp_path: Path
) -> None:
    collection = json.loads(render("w3c", fresh()))
    items = collection["first"]["items"]
    assert collection["type"] == "AnnotationCollection"
    assert len(items) == len(excerpts)
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    result = check_w3c(path)
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "collection.jsonld").write_text(json.dumps(collection))
    assert check_w3c(tmp_path / "collection.jsonld").returncode == 0


def test_w3c_pages_chain_and_offsets_are_document_level(
    excerpts: list[Annotation],
) -> None:
    from annotations.exports import w3c

    text = "".join(w3c.chunks(fresh(), page_size=3))
    collection = json.loads(text)
    page, items = collection["first"], []
    while page:
        items.extend(page["items"])
        page = page.get("next")
    assert len(items) == len(excerpts)
    exact, position = items[0]["target"]["selector"]
    assert position["end"] - position["start"] == len(exact["exact"])
    bodies = {body["purpose"] for item in items for body in item["body"]}
    assert bodies == {"tagging", "commenting"}


def test_an_empty_export_is_still_well_formed(db: None) -> None:
    assert json.loads(render("w3c", fresh()))["first"]["items"] == []
    assert render("csv", fresh()).decode("utf-8-sig").startswith('"id"')
    zipfile.ZipFile(io.BytesIO(render("qdpx", fresh()))).read("project.qde")
