"""Inter-annotator agreement: Krippendorff's alpha (nominal) and Cohen's kappa.

Pure functions over plain values, no database. ``selectors.agreement_report``
builds the data: per theme, each unit is a paragraph of a document that two
or more people coded, and each coder's value is whether they tagged that
theme anywhere in the paragraph (1) or not (0).

Both measures are *undefined* (``None``) when the data show no variation at
all (every value the same): chance agreement is then total, and 0/0 is not a
figure to print. The checks against a hand-worked example and against the
``krippendorff`` package live in ``tests/annotations/test_agreement.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import TypeVar

Value = Hashable
# Type variables, not aliases: a mapping's keys are invariant, so the callers'
# ``dict[int, dict[str, int]]`` is not a ``Mapping[Hashable, ...]``.
Coder = TypeVar("Coder", bound=Hashable)
Unit = TypeVar("Unit", bound=Hashable)


def krippendorff_alpha_nominal(units: Iterable[Iterable[Value | None]]) -> float | None:
    """Krippendorff's alpha for nominal data; each unit lists its coders' values
    (``None`` = that coder gave none). Units with fewer than two values are not
    pairable and are left out.

    alpha = 1 - (n - 1) * D / E, where D sums the off-diagonal coincidences
    o_ck (pairs within a unit, each weighted 1/(m_u - 1)) and E sums n_c * n_k
    over distinct values c, k.

    Two coders, four paragraphs, one disagreement (1,1 · 0,0 · 1,0 · 0,0):
    o_11 = 2, o_00 = 4, o_10 = o_01 = 1, so n_1 = 3, n_0 = 5, n = 8;
    alpha = 1 - 7 * 2 / (2 * 3 * 5) = 1 - 14/30 = 0.5333…

    >>> round(krippendorff_alpha_nominal([[1, 1], [0, 0], [1, 0], [0, 0]]), 4)
    0.5333
    >>> krippendorff_alpha_nominal([[1, 1], [1, None]])  # no variation
    """
    # Weighted (fractional) counts: a Counter is typed as counting in ints.
    coincidences: defaultdict[tuple[Value, Value], float] = defaultdict(float)
    for unit in units:
        values = [value for value in unit if value is not None]
        if len(values) < 2:
            continue
        weight = 1 / (len(values) - 1)
        for i, j in combinations(range(len(values)), 2):
            coincidences[(values[i], values[j])] += weight
            coincidences[(values[j], values[i])] += weight
    totals: defaultdict[Value, float] = defaultdict(float)
    for (c, _), weight in coincidences.items():
        totals[c] += weight
    n = sum(totals.values())
    observed = sum(w for (c, k), w in coincidences.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


def cohen_kappa(first: Sequence[Value], second: Sequence[Value]) -> float | None:
    """Cohen's kappa for two coders' values on the same units, in order.

    kappa = (p_o - p_e) / (1 - p_e): observed agreement against the agreement
    expected from each coder's own proportions.

    Four units, 1,1 · 0,0 · 1,0 · 0,0: p_o = 3/4; coder A says 1 half the time,
    B a quarter, so p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2; kappa = 0.25/0.5 = 0.5.

    >>> cohen_kappa([1, 0, 1, 0], [1, 0, 0, 0])
    0.5
    >>> cohen_kappa([0, 0], [0, 0]) is None  # no variation: undefined
    True
    """
    if len(first) != len(second):
        raise ValueError("both coders need a value for every unit")
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[v] * count_b[v] for v in count_a) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def pairwise_kappa(
    ratings: Mapping[Unit, Mapping[Coder, Value]],
) -> dict[tuple[Coder, Coder], float | None]:
    """Cohen's kappa for every pair of coders, over the units both coded.

    ``ratings`` maps each unit to ``{coder: value}``. Pairs are sorted by
    their string form so the result is stable.

    >>> ratings = {
    ...     "p1": {"ana": 1, "ben": 1, "cy": 1},
    ...     "p2": {"ana": 0, "ben": 0},
    ...     "p3": {"ana": 1, "ben": 0, "cy": 1},
    ...     "p4": {"ana": 0, "ben": 0, "cy": 0},
    ... }
    >>> {pair: round(k, 3) for pair, k in pairwise_kappa(ratings).items()}
    {('ana', 'ben'): 0.5, ('ana', 'cy'): 1.0, ('ben', 'cy'): 0.4}
    """
    coders = sorted({c for values in ratings.values() for c in values}, key=str)
    result = {}
    for a, b in combinations(coders, 2):
        shared = [v for v in ratings.values() if a in v and b in v]
        result[(a, b)] = cohen_kappa([v[a] for v in shared], [v[b] for v in shared])
    return result


def disagreements(ratings: Mapping[Unit, Mapping[Coder, Value]]) -> list[Unit]:
    """Units whose coders did not all give the same value, in the given order.

    >>> disagreements({"p1": {"a": 1, "b": 1}, "p2": {"a": 1, "b": 0}, "p3": {"a": 0}})
    ['p2']
    """
    return [unit for unit, values in ratings.items() if len(set(values.values())) > 1]


def percent_agreement(units: Iterable[Iterable[Value | None]]) -> float | None:
    """The share of agreeing pairs of values within units (``None`` = no value;
    units with fewer than two values are left out), each unit weighted by its
    pairs. With two coders, the share of units on which they agree. Not
    corrected for chance: two coders who never tag a rare theme agree 100 %.

    1,1 · 0,0 · 1,0 · 0,0: three of the four units agree.

    >>> percent_agreement([[1, 1], [0, 0], [1, 0], [0, 0]])
    0.75
    >>> percent_agreement([[1, 1, 0]])  # pairs 1-1 agree, 1-0 and 1-0 do not
    0.3333333333333333
    >>> percent_agreement([[1, None]]) is None  # nothing to pair
    True
    """
    agreeing = pairs = 0
    for unit in units:
        values = [value for value in unit if value is not None]
        for a, b in combinations(values, 2):
            pairs += 1
            agreeing += a == b
    return agreeing / pairs if pairs else None


def fleiss_kappa(units: Iterable[Iterable[Value | None]]) -> float | None:
    """Fleiss' kappa for any number of coders; each unit lists its coders'
    values (``None`` = none given; units with fewer than two are left out).
    Units may have different numbers of coders (the usual generalisation:
    each unit's agreement P_i over its own n_i coders).

    kappa = (P - P_e) / (1 - P_e), P the mean of
    P_i = (sum_j n_ij^2 - n_i) / (n_i (n_i - 1)), P_e = sum_j p_j^2 with p_j
    the share of all values that are j.

    Two coders, 1,1 · 0,0 · 1,0 · 0,0: P = (1 + 1 + 0 + 1) / 4 = 0.75;
    p_1 = 3/8, p_0 = 5/8, P_e = 9/64 + 25/64 = 34/64;
    kappa = (48/64 - 34/64) / (30/64) = 14/30 = 0.4667 (for two coders this is
    Scott's pi, close to Krippendorff's alpha without its small-sample term).

    >>> round(fleiss_kappa([[1, 1], [0, 0], [1, 0], [0, 0]]), 4)
    0.4667
    >>> fleiss_kappa([[1, 1], [1, 1]]) is None  # no variation
    True
    """
    shares: Counter[Value] = Counter()
    agreement_sum, count = 0.0, 0
    for unit in units:
        values = [value for value in unit if value is not None]
        n = len(values)
        if n < 2:
            continue
        counts = Counter(values)
        agreement_sum += (sum(c * c for c in counts.values()) - n) / (n * (n - 1))
        count += 1
        shares.update(counts)
    total = sum(shares.values())
    if not count:
        return None
    expected = sum((c / total) ** 2 for c in shares.values())
    if expected == 1:
        return None
    return (agreement_sum / count - expected) / (1 - expected)
