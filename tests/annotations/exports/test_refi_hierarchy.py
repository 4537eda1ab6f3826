"""REFI-QDA with the code hierarchy and memos: nested codes and ``<Notes>``
validate against the schemas, and import back (tree, memos and subjects)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from lxml import etree

from annotations import services
from annotations.exports import FORMATS
from annotations.exports.selection import ExportFilters, export_rows
from annotations.imports import import_file
from annotations.models import Annotation, Memo, Theme
from tests.annotations.exports.conftest import shared_path
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ThemeFactory,
    first_project,
)

pytestmark = pytest.mark.django_db
PROJECT = "{urn:QDA-XML:project:1.0}"
CODEBOOK = "{urn:QDA-XML:codebook:1.0}"


@pytest.fixture
def coded(people: Any, themes: dict[str, Theme]) -> dict[str, Any]:
    """distrust > mistrust > suspicion; a passage on each of two records;
    a memo on a theme, a document, a passage and the project."""
    mistrust = ThemeFactory(slug="mistrust", name="Mistrust", parent=themes["distrust"])
    suspicion = ThemeFactory(slug="suspicion", name="Suspicion", parent=mistrust)
    document = DocumentFactory(slug="doc", source_name="doc.txt")
    records = [
        ParagraphFactory(document=document, position=i, text=text)
        for i, text in enumerate(["Agents are not trusted.", "Data stays home."])
    ]
    passage = AnnotationFactory(
        paragraph=records[0], author=people.annotator, themes=[suspicion]
    )
    AnnotationFactory(
        paragraph=records[1], author=people.other, themes=[themes["sovereignty"]]
    )
    ana = people.annotator
    memos = {
        "theme": services.memo_create(
            project=first_project(), author=ana, text="Mistrust: old.", theme=mistrust
        ),
        "document": services.memo_create(
            project=first_project(), author=ana, text="A key text.", document=document
        ),
        "passage": services.memo_create(
            project=first_project(),
            author=people.other,
            text="Why?",
            annotation=passage,
        ),
        "project": services.memo_create(
            project=first_project(), author=ana, text="Journal, day 1."
        ),
    }
    return {"document": document, "memos": memos, "passage": passage}


def exported(name: str) -> bytes:
    out = io.BytesIO()
    FORMATS[name].module.write(export_rows(ExportFilters(project=first_project())), out)
    return out.getvalue()


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_path("refi-qda", name))))


def nesting(root: Any, ns: str) -> dict[str, str]:
    """Code name -> the name of the code it is nested in ("" at the top)."""
    found = {}
    for parent in root.iter(f"{ns}Code"):
        for child in parent.findall(f"{ns}Code"):
            found[child.get("name")] = parent.get("name")
    for top in root.find(f".//{ns}Codes").findall(f"{ns}Code"):
        found[top.get("name")] = ""
    return found


EXPECTED_TREE = {
    "Bilateralism": "",
    "Distrust": "",
    "Sovereignty": "",
    "Mistrust": "Distrust",
    "Suspicion": "Mistrust",
}


def test_codebook_nests_codes_and_validates(coded):
    root = etree.fromstring(exported("qdc"))
    schema("Codebook.xsd").assertValid(root)
    assert nesting(root, CODEBOOK) == EXPECTED_TREE


def test_project_has_nested_codes_and_notes_and_validates(coded):
    with zipfile.ZipFile(io.BytesIO(exported("qdpx"))) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    schema("Project.xsd").assertValid(root)
    assert nesting(root, PROJECT) == EXPECTED_TREE
    notes = {
        n.get("guid"): n.findtext(f"{PROJECT}PlainTextContent")
        for n in root.iter(f"{PROJECT}Note")
    }
    memos = coded["memos"]
    assert notes == {str(memo.guid): memo.text for memo in memos.values()}

    def refs(element) -> list[str]:
        return [ref.get("targetGUID") for ref in element.findall(f"{PROJECT}NoteRef")]

    code = next(c for c in root.iter(f"{PROJECT}Code") if c.get("name") == "Mistrust")
    assert refs(code) == [str(memos["theme"].guid)]
    assert refs(root.find(f".//{PROJECT}TextSource")) == [str(memos["document"].guid)]
    selections = list(root.iter(f"{PROJECT}PlainTextSelection"))
    assert [refs(s) for s in selections] == [[str(memos["passage"].guid)], []]
    assert refs(root) == [str(memos["project"].guid)]


def test_project_imports_back_tree_and_memos(coded, people):
    data = exported("qdpx")
    Memo.objects.all().delete()
    Annotation.objects.all().delete()
    Theme.objects.update(parent=None)
    report = import_file(
        project=first_project(), actor=people.curator, name="p.qdpx", data=data
    )
    assert report.created == 2 and report.memos_created == 4, report.lines()
    parents = dict(Theme.objects.values_list("name", "parent__name"))
    assert parents["Suspicion"] == "Mistrust" and parents["Mistrust"] == "Distrust"
    assert parents["Distrust"] is None
    memos = {memo.text: memo for memo in Memo.objects.all()}
    assert memos["Mistrust: old."].theme.slug == "mistrust"
    assert memos["A key text."].document == coded["document"]
    assert memos["Why?"].annotation.quote == "Agents are not trusted."
    assert memos["Why?"].author == people.other
    journal = memos["Journal, day 1."]
    assert (journal.theme, journal.document, journal.annotation) == (None, None, None)
    again = import_file(
        project=first_project(), actor=people.curator, name="p.qdpx", data=data
    )
    assert (again.memos_created, again.memo_duplicates) == (0, 4)
    assert Memo.objects.count() == 4


def test_codebook_import_nests_themes(coded, people):
    data = exported("qdc")
    Theme.objects.update(parent=None)
    import_file(project=first_project(), actor=people.curator, name="c.qdc", data=data)
    parents = dict(Theme.objects.values_list("name", "parent__name"))
    assert parents["Suspicion"] == "Mistrust" and parents["Mistrust"] == "Distrust"


def test_a_looping_file_is_reported_not_applied(coded, people):
    # The file nests Distrust inside Suspicion, which sits below Distrust here.
    suspicion = Theme.objects.get(slug="suspicion").guid
    distrust = Theme.objects.get(slug="distrust").guid
    codebook = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{suspicion}" name="Suspicion" isCodable="true">'
        f'<Code guid="{distrust}" name="Distrust" isCodable="true"/>'
        "</Code></Codes></CodeBook>"
    ).encode()
    report = import_file(
        project=first_project(), actor=people.curator, name="c.qdc", data=codebook
    )
    assert any(
        "cannot go under one of its own sub-themes" in line for line in report.lines()
    )
    assert Theme.objects.get(slug="distrust").parent is None
