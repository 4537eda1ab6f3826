"""The code hierarchy as plain data: pure functions over ``{theme: parent}``.

Themes form a forest (``Theme.parent``). Everything here takes the parent map
(``{pk: parent_pk or None}``, one query: ``Theme.objects.values_list("pk",
"parent_id")``) and never touches the database, so the rules (no cycles, a
parent's passages include its descendants') are stated and tested once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


def children_of(parents: Mapping[K, K | None]) -> dict[K | None, list[K]]:
    """``{parent: [children]}``; top-level themes sit under ``None``.

    >>> children_of({1: None, 2: 1, 3: 1, 4: None})
    {None: [1, 4], 1: [2, 3]}
    """
    tree: dict[K | None, list[K]] = defaultdict(list)
    for node, parent in parents.items():
        tree[parent].append(node)
    return dict(tree)


def descendants(parents: Mapping[K, K | None], root: K) -> set[K]:
    """``root`` and every theme below it, at any depth.

    >>> sorted(descendants({1: None, 2: 1, 3: 2, 4: None}, 1))
    [1, 2, 3]
    >>> sorted(descendants({1: None, 2: 1}, 2))
    [2]
    """
    tree = children_of(parents)
    found, todo = {root}, [root]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:  # a corrupt cycle must not loop forever
                found.add(child)
                todo.append(child)
    return found


def ancestors(parents: Mapping[K, K | None], node: K) -> list[K]:
    """The chain from ``node``'s parent up to its top-level theme.

    >>> ancestors({1: None, 2: 1, 3: 2}, 3)
    [2, 1]
    """
    chain: list[K] = []
    parent = parents.get(node)
    while parent is not None and parent not in chain and parent != node:
        chain.append(parent)
        parent = parents.get(parent)
    return chain


def would_cycle(parents: Mapping[K, K | None], node: K, new_parent: K | None) -> bool:
    """Whether putting ``node`` under ``new_parent`` makes a loop.

    >>> would_cycle({1: None, 2: 1, 3: 2}, 1, 3)  # 1 under its grandchild
    True
    >>> would_cycle({1: None, 2: 1}, 2, 2)  # under itself
    True
    >>> would_cycle({1: None, 2: 1, 3: None}, 3, 2)
    False
    """
    if new_parent is None:
        return False
    return new_parent in descendants(parents, node)


def roll_up(parents: Mapping[K, K | None], members: Mapping[K, Iterable[K]]) -> dict:
    """Each theme's items (passage ids) united with its descendants' items.

    A passage coded with a child and with its parent counts once for the
    parent: this is a union, not a sum.

    >>> rolled = roll_up({1: None, 2: 1, 3: 2}, {1: [10], 2: [10, 11], 3: [12]})
    >>> {theme: sorted(items) for theme, items in rolled.items()}
    {1: [10, 11, 12], 2: [10, 11, 12], 3: [12]}
    """
    return {
        theme: {
            item
            for member in descendants(parents, theme)
            for item in members.get(member, ())
        }
        for theme in parents
    }


def moved_among(siblings: list[K], node: K, step: int) -> list[K] | None:
    """``siblings`` (in their order) with ``node`` moved ``step`` places (-1:
    up, +1: down), or None when it is already first (or last) or absent.

    >>> moved_among(["a", "b", "c"], "c", -1)
    ['a', 'c', 'b']
    >>> moved_among(["a", "b", "c"], "a", -1) is None
    True
    """
    if node not in siblings:
        return None
    here = siblings.index(node)
    there = here + step
    if not 0 <= there < len(siblings):
        return None
    order = list(siblings)
    order[here], order[there] = order[there], order[here]
    return order


@dataclass(frozen=True)
class TreeRow(Generic[K]):
    """One theme in depth-first order, with its depth (0 = top level)."""

    node: K
    depth: int


def depth_first(
    parents: Mapping[K, K | None], order: Iterable[K] | None = None
) -> list[TreeRow[K]]:
    """Themes in tree order (each parent before its children), siblings in
    ``order`` (default: the map's order), as rows with their depth.

    >>> [(row.node, row.depth) for row in depth_first({1: None, 2: 1, 3: None})]
    [(1, 0), (2, 1), (3, 0)]
    """
    rank = {node: i for i, node in enumerate(order or parents)}
    tree = children_of(parents)
    for siblings in tree.values():
        siblings.sort(key=lambda node: rank.get(node, len(rank)))
    rows: list[TreeRow[K]] = []
    seen: set[K] = set()

    def visit(node: K, depth: int) -> None:
        if node in seen:
            return
        seen.add(node)
        rows.append(TreeRow(node, depth))
        for child in tree.get(node, []):
            visit(child, depth + 1)

    for top in tree.get(None, []):
        visit(top, 0)
    return rows
