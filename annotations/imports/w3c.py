"""Import W3C Web Annotations: from Gloss or from any other tool.

Accepts one Annotation, a JSON list of them, an AnnotationCollection or
AnnotationPage (pages followed through embedded ``next``), or JSON Lines.
Tagging bodies become themes (created when missing), commenting bodies (or
bodies without a purpose, or ``bodyValue``) the note. The target's document is
found by IRI; a foreign target is looked for in every document. A
TextQuoteSelector is enough; a TextPositionSelector is used when the text
there is still the quote.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from accounts.models import Project
from annotations.anchoring import Quote
from annotations.imports.items import Item, People, apply, theme_named
from annotations.imports.report import ImportFileError, ImportReport
from corpus.models import Document

KIND = "W3C annotations"


def run(
    actor: Any, project: Project, data: bytes, people: People, report: ImportReport
) -> None:
    annotations = list(_annotations(_parse(data)))
    if not annotations:
        raise ImportFileError("No Web Annotations found in the file.")
    every = list(Document.objects.filter(project=project).order_by("source_name"))
    items = (_item(actor, project, a, every, report) for a in annotations)
    apply(actor, items, people, report)


def _parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("The file is not UTF-8 text.") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"The file is not JSON: {exc}") from exc


def _annotations(doc: Any) -> Iterator[dict[str, Any]]:
    if isinstance(doc, list):
        for entry in doc:
            yield from _annotations(entry)
        return
    if not isinstance(doc, dict):
        return
    kinds = doc.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if "Annotation" in kinds:
        yield doc
    elif kinds & {"AnnotationCollection", "AnnotationPage"}:
        for key in ("first", "items", "next"):
            yield from _annotations(doc.get(key))


def _item(
    actor: Any,
    project: Project,
    annotation: dict[str, Any],
    every: list[Document],
    report: ImportReport,
) -> Item:
    target = _one(annotation.get("target"))
    source = target.get("source", "") if isinstance(target, dict) else str(target)
    named = [d for d in every if source in (d.iri, d.slug, d.source_name)]
    exact, prefix, suffix, position = _selectors(target)
    tags, comments = _bodies(annotation)
    return Item(
        source_id=str(annotation.get("id") or json.dumps(annotation, sort_keys=True)),
        documents=named or every,
        quote=Quote(exact, prefix, suffix),
        position=position,
        themes=list(
            {
                t.pk: t for t in (theme_named(actor, project, n, report) for n in tags)
            }.values()
        ),
        note="\n\n".join(comments),
        creators=_creators(annotation.get("creator")),
    )


def _one(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value or {}


def _selectors(target: Any) -> tuple[str, str, str, tuple[int, int] | None]:
    selectors = target.get("selector", []) if isinstance(target, dict) else []
    exact = prefix = suffix = ""
    position = None
    for selector in selectors if isinstance(selectors, list) else [selectors]:
        if not isinstance(selector, dict):
            continue
        if selector.get("type") == "TextQuoteSelector":
            exact = str(selector.get("exact", ""))
            prefix, suffix = (
                str(selector.get("prefix", "")),
                str(selector.get("suffix", "")),
            )
        elif selector.get("type") == "TextPositionSelector":
            start, end = selector.get("start"), selector.get("end")
            if isinstance(start, int) and isinstance(end, int):
                position = (start, end)
    return exact, prefix, suffix, position


def _bodies(annotation: dict[str, Any]) -> tuple[list[str], list[str]]:
    tags: list[str] = []
    comments: list[str] = []
    if isinstance(annotation.get("bodyValue"), str):
        comments.append(annotation["bodyValue"])
    bodies = annotation.get("body", [])
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue
        purposes = body.get("purpose") or annotation.get("motivation") or ""
        purposes = purposes if isinstance(purposes, list) else [purposes]
        (tags if "tagging" in purposes else comments).append(body["value"])
    return [tag for tag in tags if tag.strip()], [c for c in comments if c.strip()]


def _creators(creator: Any) -> list[str]:
    creator = _one(creator)
    if isinstance(creator, str):
        return [creator]
    if not isinstance(creator, dict):
        return []
    keys = ("nickname", "id", "name")
    return [str(creator[key]) for key in keys if isinstance(creator.get(key), str)]
