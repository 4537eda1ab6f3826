"""The charts page on the known coding of tests/analysis/conftest.py: each
chart's exact figures (rolled up, orphans left out), the SVG's accessible
parts, the CSV equal to the table, and a bad chart name as a 400."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from analysis import selectors
from analysis.charts import table_rows
from annotations.models import Annotation
from tests.factories import first_project

pytestmark = pytest.mark.django_db


def test_passages_per_theme_roll_up_and_skip_orphans(coded):
    assert table_rows(selectors.chart_themes(first_project())) == [
        ("Theme", "Passages"),
        ("Bilateralism", "2"),  # 3, 6
        ("Distrust", "4"),  # 1, 3 and, through Mistrust, 4, 5
        ("Distrust › Mistrust", "2"),  # 4, 5
        ("Sovereignty", "2"),  # 2, 5 (7 is an orphan)
    ]


def test_passages_per_theme_and_document(coded):
    assert table_rows(selectors.chart_theme_documents(first_project())) == [
        ("Theme", "Document", "Passages"),
        ("Bilateralism", "Alpha", "1"),
        ("Bilateralism", "Beta", "1"),
        ("Distrust", "Alpha", "3"),  # 1, 3, 4
        ("Distrust", "Beta", "1"),  # 5
        ("Distrust › Mistrust", "Alpha", "1"),
        ("Distrust › Mistrust", "Beta", "1"),
        ("Sovereignty", "Alpha", "1"),
        ("Sovereignty", "Beta", "1"),
    ]


def made_in(annotations, numbers, when: datetime) -> None:
    pks = [annotations[n].pk for n in numbers]
    Annotation.objects.filter(pk__in=pks).update(created=when)


def test_coding_over_time_per_coder_keeps_empty_months(coded):
    annotations = coded["annotations"]
    made_in(annotations, [1, 3], datetime(2026, 1, 15, tzinfo=UTC))  # ana
    made_in(annotations, [5, 7], datetime(2026, 3, 2, tzinfo=UTC))  # ana, 7 orphan
    made_in(annotations, [2, 4, 6], datetime(2026, 1, 31, 23, tzinfo=UTC))  # ben
    ana, ben = (coded["people"].annotator.username, coded["people"].other.username)
    assert table_rows(selectors.chart_coding_over_time(first_project())) == [
        ("Month", "Coder", "Passages"),
        ("2026-01", ana, "2"),
        ("2026-01", ben, "3"),
        ("2026-02", ana, "0"),
        ("2026-02", ben, "0"),
        ("2026-03", ana, "1"),
        ("2026-03", ben, "0"),
    ]


def test_the_page_draws_accessible_svg_beside_its_table(signed_in, coded):
    response = signed_in(coded["people"].viewer).get("/analysis/charts/")
    assert response.status_code == 200
    html = response.content.decode()
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg and "viewBox=" in svg and "width=" not in svg[:200]
        assert "<title id=" in svg and "<desc id=" in svg
    themes = svgs[0]
    bars = re.findall(r'<rect [^>]*data-value="(\d+)"', themes)
    assert bars == ["2", "4", "2", "2"]
    assert ">Distrust › Mistrust</text>" in themes
    assert "the largest is Distrust with 4 passages" in themes
    assert 'id="table-themes"' in html and 'href="?chart=themes&amp;format=csv"' in html
    assert '<a href="/analysis/charts/" aria-current="page">Charts</a>' in html


@pytest.mark.parametrize("key", ["themes", "documents", "coders"])
def test_csv_download_is_the_table(signed_in, coded, key):
    response = signed_in(coded["people"].viewer).get(
        f"/analysis/charts/?chart={key}&format=csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="chart-{key}.csv"' in response["Content-Disposition"]
    rows = [tuple(row) for row in csv.reader(io.StringIO(response.content.decode()))]
    assert rows == table_rows(selectors.CHARTS[key](first_project()))
    assert len(rows) > 1


def test_an_unknown_chart_is_a_400_that_names_the_choices(signed_in, coded):
    response = signed_in(coded["people"].viewer).get(
        "/analysis/charts/?chart=pie&format=csv"
    )
    assert response.status_code == 400
    assert "themes, documents, coders" in response.content.decode()


def test_nothing_coded_says_so(signed_in, people, themes):
    html = signed_in(people.viewer).get("/analysis/charts/").content.decode()
    assert html.count("Nothing is coded yet.") == 2  # themes still listed at 0
    assert "<svg" in html
