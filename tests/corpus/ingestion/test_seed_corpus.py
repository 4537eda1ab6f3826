"""The bundled corpus, checked the way a researcher would read it.

Each table row names the seed and what must hold there; a comment says which
defect of the source the row guards against.
"""

from __future__ import annotations

import re

import pytest

from corpus.ingestion.pipeline import DocumentDraft

MOJIBAKE = re.compile(r"[ÕÒÓÐÑŽ‡¥]|Ã[\x80-\xbf]|â€")
MARKUP = re.compile(r"<sup>|</?[a-z]+>|\^\{|\^[ivx0-9]|[¹²³ⁱᵛ]|\*\*?\w|\\[$_*]|\]\(|^#")
KINDS = {"heading", "paragraph", "footnote", "reference", "meta"}


def texts(draft: DocumentDraft, *kinds: str) -> list[str]:
    return [p.text for p in draft.paragraphs if not kinds or p.kind in kinds]


def record_with(draft: DocumentDraft, phrase: str):
    found = [p for p in draft.paragraphs if phrase in p.text]
    assert len(found) == 1, f"{phrase!r} is in {len(found)} records"
    return found[0]


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_records_are_clean_text(seeds: dict[str, DocumentDraft], seed: str) -> None:
    draft = seeds[seed]
    assert draft.paragraphs
    for record in draft.paragraphs:
        assert record.kind in KINDS
        assert record.text == record.text.strip() and "  " not in record.text
        assert not MOJIBAKE.search(record.text), record.text
        assert not MARKUP.search(record.text), record.text
        assert not re.fullmatch(r"\d{1,4}", record.text), "a lone page number"
        assert record.lang in {"en", "fr", "es"}


WHOLE_SENTENCES = [
    # a blank line (page break) between "… Aguilar and U.S." and "Homeland …"
    ("001", "Adviser Aguilar and U.S. Homeland Security Czar Tom Ridge would focus"),
    # page break after "speaking as"
    ("001", "Condolleza Rice, speaking as National Security advisor stated"),
    # page break inside a hyphenated compound: "U.S.-" / "Mexican border"
    ("001", "exists along the U.S.-Mexican border"),
    # markdown: "From a different" / blank / "angle, Bow (2010)"
    ("000", "From a different angle, Bow (2010) has argued"),
    # markdown: a footnote block and a rule between "goods," and "investments"
    ("000", "free movement of people, goods, investments and services"),
    # PDF: a footnote zone between "foreign" and " policy, and 4)"
    ("002", "in the execution of foreign policy, and 4) The promotion of freedom"),
    # PDF: footnotes 6-10 between "increased" and " Mexico’s capacity"
    ("002", "NAFTA has also increased Mexico’s capacity to cooperate"),
    # PDF: a lone page number "268" between "home and" and "away games"
    ("004", "contributions to both the home and away games of the GWOT"),
    # PDF: line-break hyphen in a plain word
    ("004", "Canada had to be prepared to put “boots (and blood) on the ground."),
    # PDF: line-break hyphen in a real compound keeps its hyphen
    ("004", "maritime interdictions, force-support, and force-projection operations"),
    # French line-break hyphens: "l’évo-" / "lution", "multi-" / "dimensionnelle"
    ("004", "démontrent clairement l’évolution des enjeux de la sécurité"),
    (
        "004",
        "La nouvelle menace à la sécurité dans les Amériques est davantage "
        "multidimensionnelle.",
    ),
]


@pytest.mark.parametrize(("seed", "phrase"), WHOLE_SENTENCES)
def test_sentence_cut_by_layout_is_whole(
    seeds: dict[str, DocumentDraft], seed: str, phrase: str
) -> None:
    assert record_with(seeds[seed], phrase).kind == "paragraph"


REPAIRED = [
    # Mac-Roman mojibake: Õ→’, Ò/Ó→“ ”, É→…, Ž→é, Ð→–
    ("002", "North America’s Second Decade.”"),
    ("002", "The “war” against terrorism"),
    ("002", "the “Mérida Initiative” – involving"),
    # « used as an apostrophe in the source
    ("002", "transcend NAFTA’s scope"),
    # words broken by stray spaces
    ("002", "Canada, and Mexico in the national security priorities of the US"),
    ("002", "drug trafficking and organized crime as security threats"),
    ("002", "individual liberty, and peace"),
    ("002", "“…the United States took the lead"),
    # footnote markers glued to words and numbers: "region1.", "310,00010"
    ("002", "American integrated region."),
    ("002", "already created nearly 310,000 American jobs"),
    ("002", "a trilateral free trade agreement with Canada."),
    ("004", "This naval contribution is one of the largest from a NATO member. In"),
    # markdown escapes and emphasis
    ("000", "would invest $200 billion in infrastructure"),
    ("000", "triggered by the Big Idea, which was proposed"),
    # superscript markers in 001: "procedures.¹", "world.”ⁱⁱ", "Canada^v"
    ("001", 'harmonization" of customs procedures.'),
    ("001", "the Conference Board of Canada has argued"),
]


@pytest.mark.parametrize(("seed", "phrase"), REPAIRED)
def test_defect_is_repaired(
    seeds: dict[str, DocumentDraft], seed: str, phrase: str
) -> None:
    record_with(seeds[seed], phrase)


DROPPED = [
    ("000", "Roberto Domínguez and Rafael Velázquez"),  # running header, twice
    ("003", "Welcome to the FOCAL archive"),  # archive banner
    ("003", "no longer in operation"),
    ("003", "blue square"),  # image alt text glued to the last paragraph
    ("003", "Disqus"),  # comment system footer
    ("003", "AddThis"),  # share buttons
    ("003", "report abuse"),
]


@pytest.mark.parametrize(("seed", "phrase"), DROPPED)
def test_boilerplate_and_running_headers_are_dropped(
    seeds: dict[str, DocumentDraft], seed: str, phrase: str
) -> None:
    body = [p.text for p in seeds[seed].paragraphs if p.kind != "meta"]
    assert not [t for t in body if phrase in t]
    if phrase.startswith("Roberto"):
        assert not [t for t in texts(seeds[seed]) if t == phrase]


KINDS_OF = [
    ("000", "Obstacles for Security Cooperation in North America", "meta"),
    ("000", "by Roberto Domínguez, Suffolk University", "meta"),
    ("000", "Introduction", "heading"),
    ("000", "C) Mexico-Canada", "heading"),
    ("000", "In Mexico, both government and society distrust U.S.", "footnote"),
    ("000", 'Wendt, Alexander. 1992. "Anarchy is What States Make of It', "reference"),
    ("001", "Whatever happened to the North American Security Perimeter?", "meta"),
    ("001", "ahristou@itam.mx", "meta"),
    ("001", "Final Thoughts", "heading"),
    ("001", "Quoted in William Wallace", "footnote"),
    # an endnote that runs over two blocks stays one record
    (
        "001",
        "Canadian Council of Chief Executives, Security and Prosperity: The",
        "footnote",
    ),
    (
        "002",
        "1.1.3) The US National Security Strategies after September 11, 2001",
        "heading",
    ),
    ("002", "The Mexico – Canada connection", "heading"),
    ("002", "See Pastor, Robert. “North America’s Second Decade.”", "footnote"),
    # a note carried over to the next page joins its first part
    ("002", "in the case of Mexico. Bibliography in this regard", "footnote"),
    # a paragraph after a note that ends on a URL is not part of the note
    ("002", "According to the latest Speech from the Throne", "paragraph"),
    ("003", "Mexico-Canada: Building North America’s security framework", "meta"),
    ("003", "Raúl Benítez Manaut is a researcher", "meta"),
    ("004", "III. North American Integration and Border Management", "heading"),
    ("004", "Conclusion (french version)", "heading"),
]


@pytest.mark.parametrize(("seed", "phrase", "kind"), KINDS_OF)
def test_record_kind(
    seeds: dict[str, DocumentDraft], seed: str, phrase: str, kind: str
) -> None:
    assert record_with(seeds[seed], phrase).kind == kind


def test_footnote_markers_leave_the_body(seeds: dict[str, DocumentDraft]) -> None:
    glued = re.compile(r"[a-z]{3}\d{1,2}\b(?![:/.-]\d)|[a-z][.,”’]\d{1,2}\s")
    for seed, draft in seeds.items():
        for text in texts(draft, "paragraph", "heading"):
            assert not glued.search(text), (seed, glued.search(text), text)


def test_french_conclusion_is_french(seeds: dict[str, DocumentDraft]) -> None:
    records = seeds["004"].paragraphs
    start = next(
        i for i, p in enumerate(records) if p.text.startswith("Les divers chapitres")
    )
    french = records[start:]
    assert len(french) >= 10
    assert all(p.lang == "fr" for p in french)
    assert all(p.lang == "en" for p in records[: start - 2])
    for seed in ("000", "001", "002", "003"):
        assert {p.lang for p in seeds[seed].paragraphs if p.kind == "paragraph"} == {
            "en"
        }


def test_pages_follow_printed_page_numbers(seeds: dict[str, DocumentDraft]) -> None:
    # 002 prints " 3 " above "That situation …" and " 23 " above "Caribbean …",
    # whose paragraph starts on page 22 ("The" / notes / page 23 "Caribbean")
    assert record_with(seeds["002"], "That situation is not likely to change").page == 3
    assert record_with(seeds["002"], "The Caribbean could be a region where").page == 22
    assert (
        record_with(seeds["002"], "investment and trade policies towards Cuba").page
        == 23
    )
    assert record_with(seeds["004"], "away games of the GWOT").page == 267
    assert {p.page for p in seeds["000"].paragraphs} == {None}


def test_sections_are_the_nearest_heading(seeds: dict[str, DocumentDraft]) -> None:
    record = record_with(
        seeds["002"], "This text was published by the Bush administration"
    )
    assert record.section == "1.1.1) The 1991 National Security Strategy of the US"
    assert record_with(seeds["000"], "Andreas, Peter. 2003.").section == "References"


def test_document_titles_are_what_the_text_prints(
    seeds: dict[str, DocumentDraft],
) -> None:
    assert seeds["000"].title == "Obstacles for Security Cooperation in North America"
    assert (
        seeds["001"].title
        == "Whatever happened to the North American Security Perimeter?"
    )
    assert seeds["002"].title == ""  # it opens on "Introduction": no title printed
    assert seeds["004"].title == ""
    assert {d.lang for d in seeds.values()} == {"en"}
