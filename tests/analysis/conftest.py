"""A known set of annotations for the analysis tests, and the annotations
tests' people, themes and clients.

Two documents, four themes (Mistrust under Distrust), two coders:

====  ===========  =====  ================================  ==========================
 no   paragraph    coder  span                              themes
====  ===========  =====  ================================  ==========================
 1    A0           ana    0-10 (“Trust betw”)               distrust
 2    A0           ben    5-20 (overlaps 1)                 sovereignty
 3    A1           ana    whole                             distrust, bilateralism
 4    A3           ben    whole                             mistrust
 5    B0           ana    whole                             sovereignty, mistrust
 6    B2           ben    whole                             bilateralism
 7    (orphan, B)  ana    —                                 sovereignty (never counted)
====  ===========  =====  ================================  ==========================
"""

from __future__ import annotations

from typing import Any

import pytest

from annotations.models import Annotation
from tests.annotations.conftest import api_as, people, signed_in, themes
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ThemeFactory,
)

__all__ = ["api_as", "coded", "people", "signed_in", "themes"]

TEXTS = {
    "alpha": [
        "Trust between allies is scarce; distrust of agents grows.",
        "Bilateral trust was built slowly at the border.",
        "Nothing coded here mentions trust at all.",
        "Mexico feared that trust would fade.",
    ],
    "beta": [
        "Canada wants sovereignty over data and trust in courts.",
        "The accords are about trade.",
        "Zealous trust, then, is rare.",
    ],
}


def build_corpus() -> dict[str, list]:
    records = {}
    for slug, texts in TEXTS.items():
        document = DocumentFactory(
            slug=slug, source_name=f"{slug}.txt", title=slug.capitalize(), year=2011
        )
        records[slug] = [
            ParagraphFactory(document=document, position=i, text=text, page=i + 1)
            for i, text in enumerate(texts)
        ]
    return records


def build_coding(people: Any, themes: dict, records: dict) -> dict[int, Annotation]:
    t = {
        **themes,
        "mistrust": ThemeFactory(
            slug="mistrust",
            name="Mistrust",
            colour="#7c3aed",
            parent=themes["distrust"],
        ),
    }
    a, b = records["alpha"], records["beta"]
    ana, ben = people.annotator, people.other
    rows = [
        (a[0], ana, 0, 10, ["distrust"]),
        (a[0], ben, 5, 20, ["sovereignty"]),
        (a[1], ana, None, None, ["distrust", "bilateralism"]),
        (a[3], ben, None, None, ["mistrust"]),
        (b[0], ana, None, None, ["sovereignty", "mistrust"]),
        (b[2], ben, None, None, ["bilateralism"]),
        (b[1], ana, None, None, ["sovereignty"]),
    ]
    made = {}
    for number, (paragraph, author, start, end, slugs) in enumerate(rows, start=1):
        span = {} if start is None else {"start": start, "end": end}
        made[number] = AnnotationFactory(
            paragraph=paragraph, author=author, themes=[t[s] for s in slugs], **span
        )
    Annotation.objects.filter(pk=made[7].pk).update(paragraph=None, orphaned=True)
    return made


@pytest.fixture
def coded(people, themes) -> dict[str, Any]:
    records = build_corpus()
    annotations = build_coding(people, themes, records)
    return {"records": records, "annotations": annotations, "people": people}
