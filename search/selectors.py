"""Reads for search that cross apps: index records from the corpus, themes,
and the paragraphs behind a page of hits.

Themes come from a pluggable function (setting ``GLOSS_SEARCH_THEME_SOURCE``,
a dotted path) mapping paragraph ids to theme slugs. Until the annotations app
provides one, ``no_themes`` says every paragraph has none; the index, the
``theme:`` filter and the facet already work for whatever it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

from corpus.models import Document, Paragraph
from search.backend import IndexRecord

if TYPE_CHECKING:
    from accounts.models import Project

ThemeSource = Callable[[Collection[int]], Mapping[int, Sequence[str]]]
DEFAULT_THEME_SOURCE = "search.selectors.no_themes"
DEFAULT_TAG_THEMES = "search.selectors.no_tag_themes"
BATCH = 1000


def no_themes(paragraph_ids: Collection[int]) -> dict[int, list[str]]:
    """The theme source until annotations exist: no paragraph has a theme."""
    return {}


def theme_source() -> ThemeSource:
    path = getattr(settings, "GLOSS_SEARCH_THEME_SOURCE", DEFAULT_THEME_SOURCE)
    return import_string(path)


def theme_view(
    project: Project | None, viewer: Any
) -> Mapping[int, Sequence[str]] | None:
    """Paragraph id -> the theme slugs ``viewer`` sees there, for the paragraphs
    where that differs from the index (a blind coding round), or None
    (setting ``GLOSS_SEARCH_THEME_VIEW``; none by default)."""
    path = getattr(settings, "GLOSS_SEARCH_THEME_VIEW", "")
    if not path or viewer is None:
        return None
    return import_string(path)(project, viewer)


def no_tag_themes(project: Project | None) -> list[Any]:
    """The quick-tag menu's themes until annotations exist: none."""
    return []


def tag_themes(project: Project | None) -> Sequence[Any]:
    """The themes a search hit can be tagged with in ``project`` (setting
    ``GLOSS_SEARCH_TAG_THEMES``: annotations supplies its active codebook)."""
    path = getattr(settings, "GLOSS_SEARCH_TAG_THEMES", DEFAULT_TAG_THEMES)
    return import_string(path)(project)


def index_record(paragraph: Paragraph, themes: Sequence[str] = ()) -> IndexRecord:
    """What the index holds for ``paragraph`` (its document fetched alongside)."""
    document = paragraph.document
    return IndexRecord(
        id=paragraph.id,
        project=document.project_id,
        document=document.slug,
        document_order=document.source_name,
        title=document.display_title,
        authors=tuple(document.authors or ()),
        section=paragraph.section,
        kind=paragraph.kind,
        lang=paragraph.lang,
        page=paragraph.page,
        position=paragraph.position,
        text=paragraph.text,
        themes=tuple(sorted(set(themes))),
    )


class DatabaseRecordSource:
    """The records a backend indexes, read from the corpus tables."""

    def records(self, ids: Collection[int]) -> list[IndexRecord]:
        ids = list(ids)
        # Hidden records are not indexed: queuing one removes its entry.
        rows = Paragraph.objects.visible().filter(id__in=ids)
        return _with_themes(list(rows.select_related("document")))

    def all_records(self) -> Iterator[IndexRecord]:
        """Every record, in id order, a batch of rows at a time (bounded memory)."""
        last = 0
        while True:
            rows = list(
                Paragraph.objects.visible()
                .filter(id__gt=last)
                .select_related("document")
                .order_by("id")[:BATCH]
            )
            if not rows:
                return
            yield from _with_themes(rows)
            last = rows[-1].id


def _with_themes(paragraphs: list[Paragraph]) -> list[IndexRecord]:
    themes = theme_source()([p.id for p in paragraphs])
    return [index_record(p, themes.get(p.id, ())) for p in paragraphs]


# Every read below is narrowed to the searched project, although the index
# already is: a hit whose paragraph is in another project (an index out of
# step) is dropped rather than shown, and a name or slug from another project
# is treated as unknown, so its echo cannot tell that it exists there.


def paragraphs_by_id(ids: Collection[int], project: Project) -> dict[int, Paragraph]:
    """The paragraphs of ``project`` behind a page of hits, with their
    documents (one query)."""
    rows = Paragraph.objects.visible().filter(
        id__in=list(ids), document__project=project
    )
    return {p.id: p for p in rows.select_related("document")}


def document_labels(slugs: Collection[str], project: Project) -> dict[str, str]:
    """Slug -> display title in ``project``, for the document facet."""
    rows = Document.objects.filter(project=project, slug__in=list(slugs))
    return {d.slug: d.display_title for d in rows}


def document_slug(name: str, project: Project) -> str:
    """A ``document:`` filter value as the index stores it: a source file name
    or a slug of ``project`` becomes the slug; an unknown name (one of another
    project's documents too) is kept as typed (it matches nothing)."""
    document = Document.objects.filter(project=project).by_name(name)
    return document.slug if document is not None else name
