"""Adjudication: the queue of disagreements, the consensus services, and the
consensus layer in the exports and on the coded passages page."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from lxml import etree

from accounts.roles import Role
from annotations import adjudication, consensus, services
from annotations.adjudication import QueueFilters
from annotations.models import Activity, ConsensusDecision
from corpus.models import Paragraph
from tests.annotations.exports.conftest import shared_path
from tests.annotations.exports.test_formats import check_w3c
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ProjectFactory,
    ThemeFactory,
    UserFactory,
    first_project,
)

pytestmark = pytest.mark.django_db

TEXTS = [
    "Zero: both coders call this sovereignty.",  # agreed: sovereignty
    "One: only ana sees sovereignty here.",  # disputed: sovereignty
    "Two: only ben sees distrust here.",  # disputed: distrust
    "Three: ana sovereignty, ben distrust.",  # disputed: both
    "Four: only ana sees bilateralism.",  # disputed: bilateralism
    "Five: nobody coded this one.",
]


@pytest.fixture
def coded(people: Any, themes: dict) -> dict[str, Any]:
    """ana and ben code one document; paragraphs 1–4 hold disagreements."""
    document = DocumentFactory(slug="study", title="The study")
    paras = [
        ParagraphFactory(document=document, position=i, text=text)
        for i, text in enumerate(TEXTS)
    ]
    ana, ben = people.annotator, people.other
    sov, dis, bil = themes["sovereignty"], themes["distrust"], themes["bilateralism"]
    plan = [(0, ana, sov), (0, ben, sov), (1, ana, sov), (2, ben, dis)]
    plan += [(3, ana, sov), (3, ben, dis), (4, ana, bil)]
    for position, author, theme in plan:
        AnnotationFactory(paragraph=paras[position], author=author, themes=[theme])
    return {"p": paras, "document": document, **themes}


def open_units(**kwargs: Any) -> list[int]:
    return adjudication.queue_units(QueueFilters(first_project(), **kwargs))


def decide(people: Any, paragraph: Paragraph, theme: Any, present: bool, **kw: Any):
    return consensus.consensus_decide(
        actor=people.curator,
        project=first_project(),
        paragraph=paragraph,
        theme=theme,
        present=present,
        **kw,
    )


# --- the queue ----------------------------------------------------------------


def test_the_queue_lists_each_paragraph_where_coders_differ(coded, people):
    p = coded["p"]
    assert open_units() == [p[1].pk, p[2].pk, p[3].pk, p[4].pk]
    assert open_units(theme=coded["distrust"]) == [p[2].pk, p[3].pk]
    [item] = adjudication.queue_items(QueueFilters(first_project()), [p[3].pk])
    lines = {line.theme.slug: line for line in item.lines}
    assert item.coders == ["ana", "ben"]
    assert lines["sovereignty"].applied_by == ["ana"]
    assert lines["sovereignty"].not_applied_by == ["ben"]
    assert lines["distrust"].applied_by == ["ben"] and lines["distrust"].disputed


def test_the_coders_filter_compares_only_the_chosen_coders(coded, people):
    third = UserFactory(username="cy", role=Role.ANNOTATOR)
    AnnotationFactory(paragraph=coded["p"][0], author=third, themes=[coded["distrust"]])
    assert coded["p"][0].pk in open_units()  # cy alone saw distrust there
    chosen = (people.annotator, people.other)
    assert coded["p"][0].pk not in open_units(coders=chosen)
    assert open_units(coders=(people.annotator,)) == []  # one coder: no units


def test_a_settled_unit_leaves_the_queue_and_its_decision_can_change(coded, people):
    p = coded["p"]
    decide(people, p[3], coded["sovereignty"], True)
    assert p[3].pk in open_units()  # distrust is still open there
    decide(people, p[3], coded["distrust"], False)
    assert p[3].pk not in open_units()
    assert open_units(status=adjudication.SETTLED) == [p[3].pk]
    changed = decide(people, p[3], coded["distrust"], True, note="on reflection")
    assert ConsensusDecision.objects.filter(paragraph=p[3]).count() == 2
    assert changed.present and changed.note == "on reflection"
    consensus.consensus_clear(
        actor=people.curator, project=first_project(), decision=changed
    )
    assert p[3].pk in open_units()


def test_an_added_theme_does_not_open_a_unit(coded, people):
    decide(people, coded["p"][5], coded["distrust"], True)
    assert coded["p"][5].pk not in open_units()
    assert coded["p"][5].pk not in open_units(status=adjudication.SETTLED)


# --- the services ---------------------------------------------------------------


def test_deciding_is_for_curators_and_is_logged(coded, people):
    with pytest.raises(PermissionDenied):
        consensus.consensus_decide(
            actor=people.annotator,
            project=first_project(),
            paragraph=coded["p"][1],
            theme=coded["sovereignty"],
            present=True,
        )
    assert not ConsensusDecision.objects.exists()
    decide(people, coded["p"][1], coded["sovereignty"], True)
    entry = Activity.objects.get(verb=Activity.Verb.CONSENSUS_DECIDED)
    assert entry.actor == people.curator and entry.paragraph == coded["p"][1]
    assert "consensus has Sovereignty" in entry.summary


def test_bad_decisions_change_nothing(coded, people):
    elsewhere = ThemeFactory(project=ProjectFactory(), slug="x", name="X")
    retired = ThemeFactory(slug="old", name="Old", retired=True)
    for theme, present, note in [
        (elsewhere, True, ""),  # another project's theme
        (retired, True, ""),  # a retired theme cannot be kept
        (coded["distrust"], True, "x" * 5001),  # a note too long
    ]:
        with pytest.raises(ValidationError):
            decide(people, coded["p"][2], theme, present, note=note)
    assert not ConsensusDecision.objects.exists()
    assert not Activity.objects.filter(verb__startswith="consensus").exists()
    decide(people, coded["p"][2], retired, False)  # removing a retired one is fine


def test_a_theme_merge_carries_its_decisions(coded, people):
    decide(people, coded["p"][1], coded["sovereignty"], True)
    decide(people, coded["p"][3], coded["sovereignty"], True)
    decide(people, coded["p"][3], coded["distrust"], False)  # stands over the moved one
    services.theme_merge(
        actor=people.curator, source=coded["sovereignty"], target=coded["distrust"]
    )
    rows = ConsensusDecision.objects.values_list("paragraph__position", "present")
    assert sorted(rows) == [(1, True), (3, False)]


# --- the consensus layer in the exports ------------------------------------------


@pytest.fixture
def settled(coded, people) -> dict[str, Any]:
    """Three disagreements settled (two kept, one removed), one left open."""
    p = coded["p"]
    decide(people, p[1], coded["sovereignty"], True)
    decide(people, p[2], coded["distrust"], False)
    decide(people, p[4], coded["bilateralism"], True, note="clearly bilateral")
    return coded


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_annotations", *args, stdout=out, stderr=err)
    return out.getvalue()


KEPT = {(1, "Sovereignty"), (4, "Bilateralism")}


def test_the_consensus_export_is_exactly_the_settled_units(settled, people):
    rows = list(
        csv.DictReader(
            io.StringIO(run("--format", "csv", "--layer", "consensus").lstrip("\ufeff"))
        )
    )
    assert {(int(r["paragraph"]), r["themes"]) for r in rows} == KEPT
    assert {r["annotator"] for r in rows} == {"cleo"}  # the decider
    whole = {int(r["paragraph"]): r for r in rows}
    assert whole[4]["quote"] == TEXTS[4] and whole[4]["note"] == "clearly bilateral"
    assert (whole[4]["start"], whole[4]["end"]) == ("0", str(len(TEXTS[4])))
    # The coders' layer is unchanged: every annotation.
    coders = list(csv.DictReader(io.StringIO(run("--format", "csv").lstrip("\ufeff"))))
    assert len(coders) == 7


def test_markdown_jsonl_and_w3c_carry_the_same_consensus(
    settled, people, tmp_path: Path
):
    lines = run("--format", "jsonl", "--layer", "consensus").splitlines()
    assert {
        (json.loads(x)["paragraph"], json.loads(x)["themes"][0]) for x in lines
    } == KEPT
    book = run("--format", "md", "--layer", "consensus")
    assert TEXTS[1] in book and TEXTS[4] in book
    for absent in (TEXTS[2], TEXTS[3], TEXTS[0]):
        assert absent not in book
    collection = json.loads(run("--format", "w3c", "--layer", "consensus"))
    items = collection["first"]["items"]
    exact = [i["target"]["selector"][0]["exact"] for i in items]
    assert exact == [TEXTS[1], TEXTS[4]]  # reading order
    assert {i["creator"]["nickname"] for i in items} == {"cleo"}
    assert all(i["id"].startswith("urn:gloss:consensus:") for i in items)
    path = tmp_path / "consensus.jsonld"
    path.write_text(json.dumps(collection), encoding="utf-8")
    checked = check_w3c(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_docx_and_refi_qda_take_the_layer(settled, people, tmp_path: Path):
    target = tmp_path / "consensus.qdpx"
    call_command(
        "export_annotations",
        "--format",
        "qdpx",
        "--layer",
        "consensus",
        "--output",
        str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    project = zipfile.ZipFile(target).read("project.qde")
    schema = etree.XMLSchema(etree.parse(str(shared_path("refi-qda", "Project.xsd"))))
    schema.assertValid(etree.fromstring(project))
    assert project.decode().count("<PlainTextSelection") == 2
    docx = tmp_path / "consensus.docx"
    err = io.StringIO()
    call_command(
        "export_annotations",
        "--format",
        "docx",
        "--layer",
        "consensus",
        "--output",
        str(docx),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "Wrote 2 excerpts" in err.getvalue()


def test_agreed_units_only_behind_the_flag(settled, people):
    out = run("--format", "jsonl", "--layer", "consensus", "--agreed")
    found = {
        (json.loads(x)["paragraph"], json.loads(x)["annotator"])
        for x in out.splitlines()
    }
    assert found == {(0, "agreed"), (1, "cleo"), (4, "cleo")}


def test_filters_apply_to_the_consensus(settled, people):
    out = run("--format", "jsonl", "--layer", "consensus", "--theme", "bilateralism")
    assert [json.loads(x)["paragraph"] for x in out.splitlines()] == [4]
    assert run("--format", "jsonl", "--layer", "consensus", "--user", "ana") == ""


def test_the_export_page_takes_the_layer(settled, people, signed_in):
    client = signed_in(people.viewer)
    response = client.get("/export/?format=jsonl&layer=consensus")
    body = b"".join(response.streaming_content).decode()
    assert {json.loads(x)["paragraph"] for x in body.splitlines()} == {1, 4}
    bad = client.get("/export/?format=jsonl&layer=everyone")
    assert bad.status_code == 400 and "Layer" in bad.content.decode()


def test_the_passages_page_shows_the_consensus_layer(settled, people, signed_in):
    page = signed_in(people.viewer).get("/analysis/passages/?layer=consensus")
    text = page.content.decode()
    assert page.status_code == 200
    assert TEXTS[1] in text and TEXTS[4] in text and TEXTS[2] not in text
    assert "consensus by Cleo" in text
    assert "layer=consensus" in text  # "Export these" keeps the layer


# --- the pages ------------------------------------------------------------------


def test_a_curator_settles_from_the_queue_page(coded, people, signed_in):
    client = signed_in(people.curator)
    page = client.get("/adjudicate/?theme=distrust")
    assert page.status_code == 200
    text = page.content.decode()
    assert TEXTS[2] in text and TEXTS[1] not in text and "Keep" in text
    data = {
        "paragraph": coded["p"][2].pk,
        "theme": "distrust",
        "decision": "keep",
        "back": "theme=distrust&page=1&evil=1",
    }
    response = client.post("/adjudicate/decide/", data)
    assert response.status_code == 302
    assert response["Location"] == "/adjudicate/?theme=distrust&page=1&decided=1"
    after = client.get(response["Location"]).content.decode()
    assert TEXTS[2] not in after and "autofocus" in after
    assert ConsensusDecision.objects.get().present


def test_the_queue_refuses_bad_input_clearly(coded, people, signed_in):
    client = signed_in(people.curator)
    assert client.get("/adjudicate/?theme=nonesuch").status_code == 400
    for data in [
        {"paragraph": "9999999", "theme": "distrust", "decision": "keep"},
        {"paragraph": coded["p"][2].pk, "theme": "nonesuch", "decision": "keep"},
        {"paragraph": coded["p"][2].pk, "theme": "distrust", "decision": "maybe"},
        {"paragraph": coded["p"][2].pk, "theme": "distrust", "decision": "clear"},
        {"paragraph": "x", "theme": "distrust", "decision": "keep"},
    ]:
        response = client.post("/adjudicate/decide/", data)
        assert response.status_code == 400, data
        assert response.content  # a message
    assert not ConsensusDecision.objects.exists()


def test_viewers_read_the_queue_without_actions(coded, people, signed_in):
    text = signed_in(people.viewer).get("/adjudicate/").content.decode()
    assert TEXTS[1] in text and 'name="decision"' not in text


def test_the_queue_pages(people, themes, signed_in):
    document = DocumentFactory(slug="long")
    for i in range(12):
        paragraph = ParagraphFactory(document=document, position=i, text=f"Unit {i}.")
        AnnotationFactory(
            paragraph=paragraph, author=people.annotator, themes=[themes["distrust"]]
        )
        AnnotationFactory(
            paragraph=paragraph, author=people.other, themes=[themes["sovereignty"]]
        )
    client = signed_in(people.viewer)
    first = client.get("/adjudicate/").content.decode()
    assert "page 1 of 2" in first and "Unit 9." in first and "Unit 10." not in first
    second = client.get("/adjudicate/?page=2").content.decode()
    assert "Unit 11." in second and "Unit 0." not in second
