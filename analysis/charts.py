"""Bar charts as accessible SVG: pure functions, no database, no JavaScript.

A chart is groups of labelled bars (one bar per series in each group: a
document per theme, a coder per month). ``svg`` draws it as horizontal bars
with every label and value written as text, a ``<title>`` and a ``<desc>``,
and a ``viewBox`` so it scales down to a phone's width; ``table_rows`` gives
the same numbers for the table beside it and the CSV download.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from html import escape

# Distinguishable on white and for the common colour-vision deficiencies
# (Okabe & Ito); the values are written beside every bar anyway.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")

# Narrow on purpose: at a phone's width (about 350 px of content) the whole
# drawing scales down, and a narrower viewBox keeps its text readable.
WIDTH = 480
LABEL_WIDTH = 170  # text column left of the bars
VALUE_ROOM = 48  # room right of the longest bar for its number
ROW = 22
BAR = 14


@dataclass(frozen=True)
class Bar:
    series: str  # "" when the chart has one bar per group
    value: int
    colour: str


@dataclass(frozen=True)
class Group:
    label: str
    bars: list[Bar]


@dataclass
class Chart:
    """What a chart shows; the ``*_label`` names head the table's columns."""

    key: str
    title: str
    description: str
    group_label: str
    series_label: str
    value_label: str
    groups: list[Group] = field(default_factory=list)

    @property
    def highest(self) -> int:
        return max((bar.value for g in self.groups for bar in g.bars), default=0)


def series_colours(names: Iterable[str]) -> dict[str, str]:
    """A palette colour per series name, in order, cycling.

    >>> series_colours(["ana", "ben"])
    {'ana': '#0072b2', 'ben': '#e69f00'}
    """
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def table_rows(chart: Chart) -> list[tuple[str, ...]]:
    """The chart's numbers, a row per bar (the series column only when the
    chart has series).

    >>> chart = Chart("t", "T", "D", "Theme", "", "Passages",
    ...               [Group("Distrust", [Bar("", 3, "#000")])])
    >>> table_rows(chart)
    [('Theme', 'Passages'), ('Distrust', '3')]
    """
    with_series = bool(chart.series_label)
    rows: list[tuple[str, ...]] = [
        (chart.group_label, chart.series_label, chart.value_label)
        if with_series
        else (chart.group_label, chart.value_label)
    ]
    for group in chart.groups:
        for bar in group.bars:
            series = (bar.series,) if with_series else ()
            rows.append((group.label, *series, str(bar.value)))
    return rows


def bar_length(value: int, highest: int) -> float:
    """A bar's length in viewBox units, the highest value filling the room.

    >>> bar_length(5, 10), bar_length(0, 0)
    (131.0, 0.0)
    """
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    return round(room * value / highest, 1) if highest > 0 else 0.0


def svg(chart: Chart) -> str:
    """The chart as an SVG element; every text is escaped.

    >>> chart = Chart("t", "Passages <per> theme", "D", "Theme", "", "Passages",
    ...               [Group("Distrust", [Bar("", 3, "#b91c1c")])])
    >>> out = svg(chart)
    >>> 'role="img"' in out, "<title id=\\"chart-t-title\\">Passages &lt;per&gt;" in out
    (True, True)
    >>> '<text x="164" y="15" class="chart-label" text-anchor="end">Distrust<' in out
    True
    """
    lines: list[str] = []
    y = 0
    for group in chart.groups:
        if chart.series_label:
            lines.append(_text(4, y + 15, group.label, "chart-group"))
            y += ROW
        for bar in group.bars:
            label = bar.series if chart.series_label else group.label
            lines.extend(_bar(y, label, bar, chart.highest))
            y += ROW
    return _frame(chart, max(y, ROW), lines)


def _frame(chart: Chart, height: int, lines: list[str]) -> str:
    ids = f"chart-{chart.key}-title chart-{chart.key}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' aria-labelledby="{ids}" viewBox="0 0 {WIDTH} {height}"'
        f' preserveAspectRatio="xMinYMin meet">'
        f'<title id="chart-{chart.key}-title">{escape(chart.title)}</title>'
        f'<desc id="chart-{chart.key}-desc">{escape(chart.description)}</desc>'
        + "".join(lines)
        + "</svg>"
    )


def _bar(y: int, label: str, bar: Bar, highest: int) -> list[str]:
    length = bar_length(bar.value, highest)
    x = LABEL_WIDTH
    return [
        _text(x - 6, y + 15, shorten(label), "chart-label", anchor="end"),
        f'<rect x="{x}" y="{y + 4}" width="{length}" height="{BAR}"'
        f' fill="{escape(bar.colour)}" data-value="{bar.value}"/>',
        _text(x + length + 4, y + 15, str(bar.value), "chart-value"),
    ]


def shorten(label: str, room: int = 26) -> str:
    """A label cut to fit the text column (the table has it in full).

    >>> shorten("Security cooperation in North America", 20)
    'Security cooperatio…'
    """
    return label if len(label) <= room else label[: room - 1] + "…"


def _text(x: float, y: int, content: str, css_class: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:g}" y="{y}" class="{css_class}" text-anchor="{anchor}">'
        f"{escape(content)}</text>"
    )


def months(first: date, last: date) -> list[str]:
    """Every month from ``first``'s to ``last``'s, as ``YYYY-MM`` (a timeline
    keeps its empty months, so a gap shows as a gap).

    >>> months(date(2025, 11, 30), date(2026, 2, 1))
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
