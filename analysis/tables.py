"""Counting coded material into tables: pure functions over plain tuples.

The selectors fetch ``(theme, passage, column)`` rows in one query; these
functions roll each theme's rows up to its ancestors (a parent theme's cell
holds its own passages and its descendants', each passage once) and count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from itertools import combinations_with_replacement

from annotations import hierarchy

Cell = tuple[Hashable, Hashable]


def with_ancestors(parents: Mapping) -> dict[Hashable, list[Hashable]]:
    """Each theme followed by its ancestors: the rows a coding counts in.

    >>> with_ancestors({1: None, 2: 1, 3: 2})
    {1: [1], 2: [2, 1], 3: [3, 2, 1]}
    """
    return {node: [node, *hierarchy.ancestors(parents, node)] for node in parents}


def cross_tab(
    rows: Iterable[tuple[Hashable, Hashable, Hashable]], parents: Mapping
) -> dict[Cell, int]:
    """``{(theme, column): distinct items}`` from ``(theme, item, column)``
    rows, each theme's items rolled up to its ancestors. Empty cells are absent.

    >>> parents = {"a": None, "b": "a"}
    >>> rows = [("a", 1, "doc1"), ("b", 1, "doc1"), ("b", 2, "doc2")]
    >>> sorted(cross_tab(rows, parents).items())
    [(('a', 'doc1'), 1), (('a', 'doc2'), 1), (('b', 'doc1'), 1), (('b', 'doc2'), 1)]
    """
    return {cell: len(items) for cell, items in item_sets(rows, parents).items()}


def item_sets(
    rows: Iterable[tuple[Hashable, Hashable, Hashable]], parents: Mapping
) -> dict[Cell, set[Hashable]]:
    lineage = with_ancestors(parents)
    cells: dict[Cell, set[Hashable]] = defaultdict(set)
    for theme, item, column in rows:
        for row in lineage.get(theme, [theme]):
            cells[(row, column)].add(item)
    return cells


def members(
    rows: Iterable[tuple[Hashable, Hashable]], parents: Mapping
) -> dict[Hashable, set[Hashable]]:
    """``{theme: items}`` from ``(theme, item)`` rows, rolled up.

    >>> members([("b", 1), ("a", 2)], {"a": None, "b": "a"})
    {'b': {1}, 'a': {1, 2}}
    """
    cells = item_sets(((theme, item, None) for theme, item in rows), parents)
    return {theme: items for (theme, _), items in cells.items()}


def co_occurrence(by_theme: Mapping[Hashable, set[Hashable]]) -> dict[Cell, int]:
    """``{(a, b): |items(a) ∩ items(b)|}`` for every pair (both orders) and
    the diagonal (``(a, a)``: a's own count). Empty cells are absent.

    >>> sorted(co_occurrence({"x": {1, 2}, "y": {2, 3}}).items())
    [(('x', 'x'), 2), (('x', 'y'), 1), (('y', 'x'), 1), (('y', 'y'), 2)]
    """
    cells: dict[Cell, int] = {}
    for a, b in combinations_with_replacement(sorted(by_theme, key=str), 2):
        shared = len(by_theme[a] & by_theme[b])
        if shared:
            cells[(a, b)] = cells[(b, a)] = shared
    return cells


def shade(value: float, highest: float, steps: int = 5) -> int:
    """A shading step 0..steps for ``value`` on a scale up to ``highest``
    (0 only for an empty cell, so any count shows).

    >>> [shade(v, 10) for v in (0, 1, 5, 10)]
    [0, 1, 2, 5]
    """
    if value <= 0 or highest <= 0:
        return 0
    return max(1, round(steps * value / highest))
