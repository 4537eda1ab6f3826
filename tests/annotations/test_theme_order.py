"""Reordering themes among their siblings: the service (numbering, ends
refused, retired siblings not crossed, curators only, logged), the codebook's
Up/Down buttons (keyboard focus kept, ends disabled, bad input a 400) and the
order followed by the other views of the codebook."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from analysis import selectors as analysis_selectors
from annotations import selectors, services
from annotations.models import Activity, Theme
from tests.factories import ThemeFactory, first_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(themes):
    """bilateralism, distrust > [mistrust, suspicion], sovereignty."""
    mistrust = ThemeFactory(slug="mistrust", name="Mistrust", parent=themes["distrust"])
    suspicion = ThemeFactory(
        slug="suspicion", name="Suspicion", parent=themes["distrust"]
    )
    return {**themes, "mistrust": mistrust, "suspicion": suspicion}


def codebook_order() -> list[str]:
    return [node.theme.slug for node in selectors.theme_tree(first_project())]


def move(people, tree, slug, step):
    return services.theme_reorder(actor=people.curator, theme=tree[slug], step=step)


def test_moving_up_swaps_with_the_sibling_above_and_numbers_them(people, tree):
    assert codebook_order() == [
        "bilateralism",
        "distrust",
        "mistrust",
        "suspicion",
        "sovereignty",
    ]  # fmt: skip  (all at position 0: by name)
    move(people, tree, "sovereignty", -1)
    assert codebook_order() == [
        "bilateralism",
        "sovereignty",
        "distrust",
        "mistrust",
        "suspicion",
    ]  # fmt: skip  (a parent moves with its sub-themes)
    top = Theme.objects.filter(parent=None).order_by("position")
    assert list(top.values_list("slug", "position")) == [
        ("bilateralism", 0),
        ("sovereignty", 1),
        ("distrust", 2),
    ]
    log = Activity.objects.get(verb=Activity.Verb.THEME_REORDERED)
    assert log.actor == people.curator
    assert log.summary == "moved the theme Sovereignty up (2 of 3)"


def test_children_reorder_among_themselves_only(people, tree):
    move(people, tree, "suspicion", -1)
    assert codebook_order() == [
        "bilateralism", "distrust", "suspicion", "mistrust", "sovereignty"
    ]  # fmt: skip
    move(people, tree, "suspicion", 1)
    assert codebook_order()[2:4] == ["mistrust", "suspicion"]


@pytest.mark.parametrize(
    ("slug", "step", "message"),
    [
        ("bilateralism", -1, "“Bilateralism” is already first among its siblings."),
        ("sovereignty", 1, "“Sovereignty” is already last among its siblings."),
        ("suspicion", 1, "“Suspicion” is already last among its siblings."),
        ("distrust", 2, "A theme moves one place up or down."),
    ],
)
def test_moves_past_an_end_are_refused_and_change_nothing(
    people, tree, slug, step, message
):
    before = list(Theme.objects.values_list("pk", "position"))
    with pytest.raises(ValidationError) as refused:
        move(people, tree, slug, step)
    assert refused.value.messages == [message]
    assert list(Theme.objects.values_list("pk", "position")) == before
    assert not Activity.objects.filter(verb=Activity.Verb.THEME_REORDERED).exists()


def test_a_retired_sibling_is_not_crossed(people, tree):
    services.theme_retire(actor=people.curator, theme=tree["bilateralism"])
    move(people, tree, "sovereignty", -1)
    top = [
        slug
        for slug in codebook_order()
        if slug in ("bilateralism", "distrust", "sovereignty")
    ]  # noqa: E501
    assert top == ["sovereignty", "distrust", "bilateralism"]  # retired stay last
    with pytest.raises(ValidationError):
        move(people, tree, "sovereignty", -1)
    # Distrust is the last theme in use: moving it past a retired one would
    # change nothing on the page, so it is refused as the end it is.
    with pytest.raises(ValidationError, match="already last"):
        move(people, tree, "distrust", 1)


def test_only_curators_reorder(people, tree):
    with pytest.raises(PermissionDenied):
        services.theme_reorder(actor=people.annotator, theme=tree["distrust"], step=-1)


def test_the_matrix_and_charts_follow_the_codebook_order(people, tree):
    move(people, tree, "sovereignty", -1)
    move(people, tree, "sovereignty", -1)
    matrix = analysis_selectors.code_matrix(first_project())
    rows = [matrix.themes[row.node].slug for row in matrix.rows]
    assert rows == ["sovereignty", "bilateralism", "distrust", "mistrust", "suspicion"]
    chart = analysis_selectors.chart_themes(first_project())
    assert [group.label for group in chart.groups][:2] == [
        "Sovereignty",
        "Bilateralism",
    ]


def buttons(html: str) -> dict[str, str]:
    """{button id: its attributes after the id} of the reorder buttons."""
    return dict(re.findall(r'id="(reorder-[\w-]+)"([^>]*)>', html))


def test_codebook_buttons_move_a_theme_and_keep_the_focus(signed_in, people, tree):
    client = signed_in(people.curator)
    response = client.post("/codebook/sovereignty/reorder/", {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"] == ("/codebook/?moved=sovereignty&direction=up")
    html = client.get(response["Location"]).content.decode()
    assert 'aria-label="Move Sovereignty up"' in html
    found = buttons(html)
    assert "autofocus" in found["reorder-sovereignty-up"]
    assert [key for key, attrs in found.items() if "autofocus" in attrs] == [
        "reorder-sovereignty-up"
    ]
    assert "disabled" in found["reorder-bilateralism-up"]
    assert "disabled" in found["reorder-distrust-down"]  # now last at the top
    assert "disabled" in found["reorder-mistrust-up"]  # first under Distrust
    # up again: now first, so the focus goes to its Down button
    client.post("/codebook/sovereignty/reorder/", {"direction": "up"})
    html = client.get("/codebook/?moved=sovereignty&direction=up").content.decode()
    found = buttons(html)
    assert "disabled" in found["reorder-sovereignty-up"]
    assert "autofocus" in found["reorder-sovereignty-down"]


def test_bad_reorders_are_400_with_a_message(signed_in, people, tree):
    client = signed_in(people.curator)
    bad = client.post("/codebook/distrust/reorder/", {"direction": "sideways"})
    assert bad.status_code == 400
    assert "direction must be up or down." in bad.content.decode()
    first = client.post("/codebook/bilateralism/reorder/", {"direction": "up"})
    assert first.status_code == 400
    assert "already first among its siblings" in first.content.decode()
    assert (
        client.post("/codebook/nope/reorder/", {"direction": "up"}).status_code == 404
    )
    assert client.get("/codebook/distrust/reorder/").status_code == 405


def test_people_who_cannot_reorder_see_no_buttons(signed_in, people, tree):
    html = signed_in(people.annotator).get("/codebook/").content.decode()
    assert "reorder-" not in html and '<th scope="col">Order</th>' not in html


def test_a_themes_page_lists_its_children_in_the_codebook_order(
    signed_in, people, tree
):
    move(people, tree, "suspicion", -1)
    html = signed_in(people.viewer).get("/codebook/distrust/").content.decode()
    assert html.index("/codebook/suspicion/") < html.index("/codebook/mistrust/")
