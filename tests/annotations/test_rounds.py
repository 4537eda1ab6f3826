"""Blind coding rounds: while one is open its coders see only their own
annotations on its documents (reader/API, search, exports, activity), curators
see all; closing reveals them; a round's agreement counts exactly its
annotations; bulk tags stay out of agreement unless asked."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from annotations import rounds, services
from annotations.models import Activity, Annotation, CodingRound, Origin
from annotations.selectors import AgreementScope, agreement_report
from tests.factories import DocumentFactory, ParagraphFactory

pytestmark = pytest.mark.django_db

TEXTS = [
    "Sovereignty and distrust shape North American security cooperation.",
    "Mexico limits armed agents on its soil. Canada guards its data closely.",
    "Bilateral accords replaced the older partnership in trade.",
    "Border crossings slowed after the attacks of that autumn.",
]


@pytest.fixture
def round_document(db):
    document = DocumentFactory(slug="blind", title="Blind document")
    for position, text in enumerate(TEXTS):
        ParagraphFactory(document=document, position=position, text=text)
    return document


def _paragraphs(document):
    return list(document.paragraphs.order_by("position"))


def _open(people, documents, coders=None):
    return rounds.round_open(
        actor=people.curator,
        project=documents[0].project,
        name="Pilot",
        documents=documents,
        coders=coders or [people.annotator, people.other],
    )


def _tag(api, paragraph, theme, note, end=None):
    body = {
        "paragraph": paragraph.pk,
        "start": 0,
        "end": end or len(paragraph.text),
        "themes": [theme],
        "note": note,
    }
    response = api.post("/api/annotations", body)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _notes(api, document):
    rows = api.get("/api/annotations", document=document.slug).json()["results"]
    return sorted(row["note"] for row in rows)


def _search(api, **params):
    return api.get("/api/search", **params).json()


def _facet(result, name="theme"):
    return {f["value"]: f["count"] for f in result["facets"].get(name, [])}


def _export_notes(client):
    response = client.get("/export/", {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return sorted(row["note"] for row in csv.DictReader(io.StringIO(body)))


def test_round_coders_do_not_see_each_other_until_it_closes(
    people, themes, round_document, api_as, signed_in
):
    p = _paragraphs(round_document)
    _open(people, [round_document])
    ana, ben, cleo = (
        api_as(people.annotator),
        api_as(people.other),
        api_as(people.curator),
    )
    _tag(ana, p[0], "distrust", "ana-note")
    bens = _tag(ben, p[0], "sovereignty", "ben-note")
    _tag(ben, p[1], "distrust", "ben-second", end=6)

    # Reader and API: each coder sees their own only; the curator sees all.
    assert _notes(ana, round_document) == ["ana-note"]
    assert _notes(ben, round_document) == ["ben-note", "ben-second"]
    assert _notes(cleo, round_document) == ["ana-note", "ben-note", "ben-second"]
    assert ana.get(f"/api/annotations/{bens}").status_code == 404
    assert ana.patch(f"/api/annotations/{bens}", {"note": "x"}).status_code == 404
    assert signed_in(people.annotator).get("/documents/blind/").status_code == 200

    # Search: facets, the theme filter, theme: in the query, and hit themes.
    found = _search(ana, q="sovereignty")
    assert _facet(found) == {"distrust": 1}
    assert found["results"][0]["themes"] == ["distrust"]
    assert _search(ana, q="", theme="sovereignty")["total"] == 0
    assert _search(cleo, q="", theme="sovereignty")["total"] == 1
    assert [
        r["paragraph"]["id"] for r in _search(ana, q="theme:distrust")["results"]
    ] == [p[0].pk]
    # Excluding a theme ben used must not hide the paragraph from ana either.
    assert _search(ana, q="Mexico -theme:distrust")["total"] == 1
    assert _search(cleo, q="Mexico -theme:distrust")["total"] == 0
    assert _facet(_search(cleo, q="sovereignty")) == {"distrust": 1, "sovereignty": 1}

    # Exports and the activity log.
    assert _export_notes(signed_in(people.annotator)) == ["ana-note"]
    assert _export_notes(signed_in(people.curator)) == [
        "ana-note",
        "ben-note",
        "ben-second",
    ]
    assert "Mexic" not in signed_in(people.annotator).get("/activity/").content.decode()
    assert "Mexic" in signed_in(people.curator).get("/activity/").content.decode()

    coding_round = CodingRound.objects.get()
    rounds.round_close(actor=people.curator, coding_round=coding_round)

    assert _notes(ana, round_document) == ["ana-note", "ben-note", "ben-second"]
    assert _facet(_search(ana, q="sovereignty")) == {"distrust": 1, "sovereignty": 1}
    assert _search(ana, q="", theme="sovereignty")["total"] == 1
    assert _export_notes(signed_in(people.annotator)) == [
        "ana-note",
        "ben-note",
        "ben-second",
    ]
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {Activity.Verb.ROUND_OPENED, Activity.Verb.ROUND_CLOSED} <= verbs
    coding_round.refresh_from_db()
    assert coding_round.closed_by == people.curator and coding_round.closed


def test_people_outside_the_round_and_other_documents_are_unaffected(
    people, themes, round_document, document, api_as
):
    p = _paragraphs(round_document)
    _open(people, [round_document])
    _tag(api_as(people.other), p[0], "sovereignty", "ben-note")
    other_doc = document.paragraphs.order_by("position").first()
    _tag(api_as(people.other), other_doc, "sovereignty", "ben-elsewhere")
    assert _notes(api_as(people.viewer), round_document) == ["ben-note"]
    ana = api_as(people.annotator)
    assert _notes(ana, document) == ["ben-elsewhere"]
    assert _search(ana, q="", theme="sovereignty")["total"] == 1  # the other doc


def test_round_agreement_equals_the_hand_worked_value(people, themes, round_document):
    """Two coders, four paragraph units, theme distrust, in the round only:

    - ana tagged p0 and p2, ben tagged p0 (and bulk-tagged p3);
    - ana's tag on p1 from before the round opened is not the round's.

    Units (ana, ben): p0 (1,1) · p1 (0,0) · p2 (1,0) · p3 (0,0).
    Percent agreement 3/4 = 0.75. Krippendorff: o11 = 2, o00 = 4,
    o10 = o01 = 1, n1 = 3, n0 = 5, n = 8: alpha = 1 - 7 * 2 / (2 * 3 * 5)
    = 1 - 14/30 = 0.5333. Cohen: p_o = 3/4, p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2,
    kappa = 0.5. Fleiss: P = 3/4, P_e = (3/8)^2 + (5/8)^2 = 34/64,
    kappa = (48 - 34) / 30 = 0.4667.

    With the bulk tag counted, p3 becomes (0,1): percent 2/4 = 0.5;
    o11 = o00 = 2, o10 = o01 = 2, n1 = n0 = 4: alpha = 1 - 7 * 4 / 32 = 0.125;
    Cohen p_o = 1/2, p_e = 1/2: kappa = 0.
    """
    p = _paragraphs(round_document)
    ana, ben = people.annotator, people.other
    tag = services.annotation_create
    early = tag(author=ana, paragraph=p[1], start=0, end=6, themes=["distrust"])
    Annotation.objects.filter(pk=early.pk).update(
        created=timezone.now() - timezone.timedelta(hours=1)
    )
    coding_round = _open(people, [round_document])
    for paragraph in (p[0], p[2]):
        tag(author=ana, paragraph=paragraph, start=0, end=5, themes=["distrust"])
    tag(author=ben, paragraph=p[0], start=2, end=9, themes=["distrust"])
    services.annotations_bulk_create(
        author=ben,
        project=round_document.project,
        theme="distrust",
        items=[services.SpanRequest(p[3].pk)],
    )
    rounds.round_close(actor=people.curator, coding_round=coding_round)
    tag(author=ben, paragraph=p[2], start=0, end=5, themes=["distrust"])  # after

    (row,) = agreement_report(
        round_document.project,
        [themes["distrust"]],
        AgreementScope(coding_round=coding_round),
    )
    assert row.units == 4
    assert row.percent == pytest.approx(0.75)
    assert row.alpha == pytest.approx(1 - 14 / 30)
    assert row.kappas == [("ana", "ben", pytest.approx(0.5))]
    assert row.fleiss == pytest.approx(14 / 30)

    with_bulk = AgreementScope(
        coding_round=coding_round,
        origins=frozenset({Origin.MANUAL, Origin.IMPORT, Origin.BULK}),
    )
    (row,) = agreement_report(round_document.project, [themes["distrust"]], with_bulk)
    assert row.percent == pytest.approx(0.5)
    assert row.alpha == pytest.approx(0.125)
    assert row.kappas == [("ana", "ben", pytest.approx(0.0))]


def test_bulk_tags_are_left_out_of_the_agreement_page_unless_asked(
    people, themes, round_document, signed_in
):
    p = _paragraphs(round_document)
    for coder in (people.annotator, people.other):
        services.annotation_create(
            author=coder, paragraph=p[0], start=0, end=5, themes=["distrust"]
        )
    services.annotations_bulk_create(
        author=people.other,
        project=round_document.project,
        theme="distrust",
        items=[services.SpanRequest(p[1].pk)],
    )
    assert Annotation.objects.filter(origin=Origin.BULK).count() == 1
    client = signed_in(people.curator)
    plain = client.get("/agreement/").context["report"]
    asked = client.get("/agreement/", {"bulk": "on"}).context["report"]
    by_slug = lambda report: {r.theme.slug: r for r in report}  # noqa: E731
    assert not by_slug(plain)["distrust"].disagreements
    assert len(by_slug(asked)["distrust"].disagreements) == 1


def test_a_theme_one_coder_used_reads_not_applicable(
    people, themes, round_document, signed_in
):
    p = _paragraphs(round_document)
    tag = services.annotation_create
    tag(author=people.annotator, paragraph=p[0], start=0, end=5, themes=["distrust"])
    tag(author=people.other, paragraph=p[1], start=0, end=5, themes=["sovereignty"])
    page = signed_in(people.curator).get("/agreement/")
    rows = {r.theme.slug: r for r in page.context["report"]}
    assert rows["distrust"].single_coder and rows["sovereignty"].single_coder
    assert "n/a — only one coder used this theme" in page.content.decode()


def test_sentence_units_split_a_paragraph(people, themes, round_document):
    """p1 has two sentences; ana tags the first, ben the second: as one
    paragraph they agree, as sentences they disagree on both."""
    p1 = _paragraphs(round_document)[1]
    second = p1.text.index("Canada")
    tag = services.annotation_create
    tag(author=people.annotator, paragraph=p1, start=0, end=6, themes=["distrust"])
    tag(
        author=people.other,
        paragraph=p1,
        start=second,
        end=second + 6,
        themes=["distrust"],
    )
    project, theme = round_document.project, [themes["distrust"]]
    (by_paragraph,) = agreement_report(project, theme)
    (by_sentence,) = agreement_report(project, theme, AgreementScope(unit="sentence"))
    assert not by_paragraph.disagreements
    assert [d.text for d in by_sentence.disagreements] == [
        "Mexico limits armed agents on its soil.",
        "Canada guards its data closely.",
    ]


@pytest.mark.parametrize(
    ("coders", "message"),
    [
        ("one", "Choose at least two coders."),  # a round needs two
        ("viewer", "Every coder must be a member who can annotate."),
    ],
)
def test_a_bad_round_is_refused_and_writes_nothing(
    people, themes, round_document, coders, message
):
    chosen = {
        "one": [people.annotator],
        "viewer": [people.annotator, people.viewer],
    }[coders]
    with pytest.raises(ValidationError) as error:
        _open(people, [round_document], chosen)
    assert message in error.value.messages
    assert not CodingRound.objects.exists() and not Activity.objects.exists()


def test_rounds_page_opens_and_closes_a_round(
    people, themes, round_document, signed_in
):
    client = signed_in(people.curator)
    bad = client.post("/agreement/rounds/", {"name": "", "documents": []})
    assert bad.status_code == 400 and not CodingRound.objects.exists()
    data = {
        "name": "Pilot",
        "documents": [round_document.pk],
        "coders": ["ana", "ben"],
    }
    assert client.post("/agreement/rounds/", data).status_code == 302
    coding_round = CodingRound.objects.get()
    assert coding_round.is_open
    again = client.post("/agreement/rounds/", {**data, "name": "Twice"})
    assert again.status_code == 400  # the document is in an open round
    page = client.get("/agreement/rounds/")
    assert "Pilot" in page.content.decode()
    close = client.post(f"/agreement/rounds/{coding_round.pk}/close/")
    assert close.status_code == 302
    coding_round.refresh_from_db()
    assert not coding_round.is_open
    closed_twice = client.post(f"/agreement/rounds/{coding_round.pk}/close/")
    assert closed_twice.status_code == 302  # a message, not a 500
    assert client.get("/agreement/", {"coding_round": "999"}).status_code == 400


def test_search_result_tags_record_their_origin(people, themes, round_document, api_as):
    p = _paragraphs(round_document)
    body = {
        "paragraph": p[0].pk,
        "start": 0,
        "end": 5,
        "themes": ["distrust"],
        "origin": "search",
    }
    response = api_as(people.annotator).post("/api/annotations", body)
    assert response.status_code == 201
    assert Annotation.objects.get().origin == Origin.SEARCH
    body["origin"] = "bulk"  # only the bulk endpoint makes those
    assert api_as(people.annotator).post("/api/annotations", body).status_code == 400


def test_live_updates_keep_a_round_blind(people, themes, round_document, api_as):
    """The reading page's poll sends a round coder their own new annotations
    only; the other coder's arrive once the round closes."""
    paragraph = _paragraphs(round_document)[0]
    live = f"/api/documents/{round_document.slug}/live"
    ana, ben = api_as(people.annotator), api_as(people.other)
    opened = _open(people, [round_document])
    mine = _tag(ana, paragraph, "distrust", "ana's")
    theirs = _tag(ben, paragraph, "sovereignty", "ben's")
    seen = ana.get(live, since=0).json()
    assert [a["id"] for a in seen["annotations"]] == [mine]
    assert theirs not in [a["id"] for a in seen["annotations"]]
    rounds.round_close(actor=people.curator, coding_round=opened)
    after = ana.get(live, since=0).json()
    assert sorted(a["id"] for a in after["annotations"]) == sorted([mine, theirs])
