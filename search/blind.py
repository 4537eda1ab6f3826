"""Search for someone whose view of themes differs from the index's (a blind
coding round's coder).

The index holds one ``theme`` field per paragraph with everyone's themes. A
blind round's coder must see only their own on the round's documents, so the
annotations app (setting ``GLOSS_SEARCH_THEME_VIEW``) says, per person, which
paragraphs are *masked* and which theme slugs that person sees on each. Then:

- Hits on masked paragraphs show the person's themes, not the index's.
- Without any theme condition (no ``theme`` filter, no ``theme:`` in the
  query) the hits are the index's; the theme facet is corrected by searching
  the masked documents once more (all their hits) and counting, for those, the
  person's themes instead of the index's.
- With a theme condition, the index's answer is used only *outside* the masked
  documents (the query gets ``AND NOT document:…``); inside them the theme
  conditions are decided from the person's themes: masked paragraphs are
  grouped by which of the query's themes they carry for this person, and per
  group the query is searched with each ``theme:`` condition replaced by true
  or false. Those hits follow the others' (they are few: a round's documents),
  and the totals and every facet add up both parts.

Nothing here imports the annotations app: the view is a mapping of paragraph
ids to slugs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

from corpus.models import Paragraph
from search import query as q
from search.backend import FacetCount, Hit, SearchBackend, SearchPage

ThemeView = Mapping[int, Sequence[str]]  # masked paragraph id -> visible slugs
GATHER_PAGE = 1000


def search(
    backend: SearchBackend,
    parsed: q.ParsedQuery,
    filters: dict[str, list[str]],
    page: int,
    page_size: int,
    sort: str,
    project: int,
    view: ThemeView,
) -> SearchPage:
    """``backend.search`` as the person with ``view`` must see it."""
    slugs = _masked_documents(view, filters)
    if not slugs:
        found = backend.search(parsed, filters, page, page_size, sort, project=project)
        return _relabel(found, view)
    if not (themes_in(parsed.node) or filters.get("theme")):
        found = backend.search(parsed, filters, page, page_size, sort, project=project)
        inside = _gather(backend, parsed, {**filters, "document": slugs}, project)
        found.facets["theme"] = _corrected_themes(
            found.facets.get("theme", []), inside, view
        )
        return _relabel(found, view)
    outside_node = q.And((parsed.node, q.Not(_any_document(slugs))))
    outside = backend.search(
        replace(parsed, node=outside_node),
        filters,
        page,
        page_size,
        sort,
        project=project,
    )
    inside = _inside_hits(backend, parsed, filters, slugs, project, view)
    return _combined(outside, inside, page, page_size, view)


def themes_in(node: q.Node) -> set[str]:
    """The theme slugs a query's ``theme:`` conditions name.

    >>> sorted(themes_in(q.parse("trust (theme:a OR -theme:b)")))
    ['a', 'b']
    """
    if isinstance(node, q.Filter):
        return {node.value} if node.name == "theme" else set()
    if isinstance(node, q.And | q.Or):
        return set().union(*(themes_in(c) for c in node.children))
    if isinstance(node, q.Not):
        return themes_in(node.child)
    return set()


def decide_themes(node: q.Node, present: set[str]) -> q.Node | bool:
    """The query with every ``theme:`` condition decided (true when the slug is
    in ``present``), folded: True or False when nothing else is left.

    >>> decide_themes(q.parse("trust theme:a"), {"a"})
    Word(text='trust', span=(0, 5))
    >>> decide_themes(q.parse("trust theme:a"), set())
    False
    >>> decide_themes(q.parse("trust -theme:b"), {"b"})
    False
    """
    if isinstance(node, q.Filter) and node.name == "theme":
        return node.value in present
    if isinstance(node, q.Not):
        child = decide_themes(node.child, present)
        return (not child) if isinstance(child, bool) else q.Not(child)
    if isinstance(node, q.And | q.Or):
        decided = [decide_themes(c, present) for c in node.children]
        settles = isinstance(node, q.Or)  # True settles an OR, False an AND
        if settles in decided:
            return settles
        kept = [c for c in decided if not isinstance(c, bool)]
        if not kept:
            return not settles
        return kept[0] if len(kept) == 1 else type(node)(tuple(kept))
    return node


def _masked_documents(
    view: ThemeView, filters: Mapping[str, Sequence[str]]
) -> list[str]:
    """Slugs of the masked documents the search may reach."""
    rows = Paragraph.objects.filter(pk__in=list(view)).values_list(
        "document__slug", flat=True
    )
    slugs = sorted(set(rows))
    wanted = filters.get("document")
    return [s for s in slugs if s in wanted] if wanted else slugs


def _any_document(slugs: Sequence[str]) -> q.Node:
    filters = tuple(q.Filter("document", slug) for slug in slugs)
    return filters[0] if len(filters) == 1 else q.Or(filters)


def _gather(
    backend: SearchBackend,
    parsed: q.ParsedQuery,
    filters: Mapping[str, Sequence[str]],
    project: int,
) -> list[Hit]:
    """Every hit of a search (a few pages of the masked documents at most)."""
    hits: list[Hit] = []
    page = 1
    while True:
        found = backend.search(
            parsed, filters, page, GATHER_PAGE, "document", project=project
        )
        hits += found.hits
        if len(hits) >= found.total or not found.hits:
            return hits
        page += 1


def _inside_hits(
    backend: SearchBackend,
    parsed: q.ParsedQuery,
    filters: dict[str, list[str]],
    slugs: list[str],
    project: int,
    view: ThemeView,
) -> list[Hit]:
    """Hits in the masked documents, theme conditions decided per paragraph
    from ``view``: one search per group of paragraphs alike in the query's
    themes."""
    wanted = set(filters.get("theme", ()))
    named = themes_in(parsed.node) | wanted
    groups: dict[frozenset[str], set[int]] = defaultdict(set)
    for pk, themes in view.items():
        groups[frozenset(themes) & named].add(pk)
    rest = {k: v for k, v in filters.items() if k != "theme"}
    rest["document"] = slugs
    hits: list[Hit] = []
    for present, members in groups.items():
        if wanted and not wanted & present:
            continue
        decided = decide_themes(parsed.node, set(present))
        if decided is False:
            continue
        node = q.MatchAll() if decided is True else decided
        found = _gather(backend, replace(parsed, node=node), rest, project)
        hits += [hit for hit in found if hit.id in members]
    return sorted(hits, key=lambda hit: -hit.score)


def _combined(
    outside: SearchPage, inside: list[Hit], page: int, page_size: int, view: ThemeView
) -> SearchPage:
    """The outside page, then the inside hits once the outside ones run out."""
    start = max(0, (page - 1) * page_size - outside.total)
    room = page_size - len(outside.hits)
    extra = inside[start : start + room] if room > 0 else []
    facets = dict(outside.facets)
    for name, counts in _facets_of(inside, view).items():
        facets[name] = _added(facets.get(name, []), counts)
    combined = replace(
        outside,
        hits=[*outside.hits, *extra],
        total=outside.total + len(inside),
        facets=facets,
    )
    return _relabel(combined, view)


def _facets_of(hits: list[Hit], view: ThemeView) -> dict[str, Counter[str]]:
    rows = Paragraph.objects.filter(pk__in=[h.id for h in hits]).values_list(
        "pk", "document__slug", "lang", "kind"
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for pk, document, lang, kind in rows:
        counts["document"][document] += 1
        counts["lang"][lang or ""] += 1
        counts["kind"][kind] += 1
        for theme in view.get(pk, ()):
            counts["theme"][theme] += 1
    return counts


def _added(rows: list[FacetCount], more: Counter[str]) -> list[FacetCount]:
    total = Counter({row.value: row.count for row in rows}) + more
    return [
        FacetCount(v, n) for v, n in sorted(total.items(), key=lambda r: (-r[1], r[0]))
    ]


def _corrected_themes(
    rows: list[FacetCount], inside: list[Hit], view: ThemeView
) -> list[FacetCount]:
    """The theme facet with the masked hits counted by ``view``."""
    total = Counter({row.value: row.count for row in rows})
    for hit in inside:
        total.subtract(hit.themes)
        total.update(view.get(hit.id, ()))
    kept = {v: n for v, n in total.items() if n > 0}
    return [
        FacetCount(v, n) for v, n in sorted(kept.items(), key=lambda r: (-r[1], r[0]))
    ]


def _relabel(found: SearchPage, view: ThemeView) -> SearchPage:
    """Masked hits show the person's themes."""
    found.hits = [
        replace(hit, themes=tuple(view[hit.id])) if hit.id in view else hit
        for hit in found.hits
    ]
    return found
