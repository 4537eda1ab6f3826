"""The code hierarchy: moving themes (cycles refused), merging a parent, the
roll-up of a parent's passages, the codebook tree page and the API's parent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations import hierarchy, selectors, services
from annotations.models import Activity, Theme
from tests.factories import AnnotationFactory, ThemeFactory, first_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(themes):
    """distrust > [mistrust > suspicion], sovereignty at the top."""
    mistrust = ThemeFactory(slug="mistrust", name="Mistrust", parent=themes["distrust"])
    suspicion = ThemeFactory(slug="suspicion", name="Suspicion", parent=mistrust)
    return {**themes, "mistrust": mistrust, "suspicion": suspicion}


def test_move_puts_a_theme_under_another_and_logs_it(people, tree):
    services.theme_move(
        actor=people.curator, theme=tree["sovereignty"], parent=tree["distrust"]
    )
    assert Theme.objects.get(slug="sovereignty").parent == tree["distrust"]
    entry = Activity.objects.get(verb=Activity.Verb.THEME_MOVED)
    assert entry.summary == "moved the theme Sovereignty under Distrust"
    services.theme_move(actor=people.curator, theme=tree["sovereignty"], parent=None)
    assert Theme.objects.get(slug="sovereignty").parent is None


@pytest.mark.parametrize(
    ("theme", "parent", "message"),
    [
        ("distrust", "distrust", "cannot go under itself"),  # itself
        ("distrust", "suspicion", "one of its own sub-themes"),  # its grandchild
        ("mistrust", "suspicion", "one of its own sub-themes"),  # its child
    ],
)
def test_move_refuses_cycles(people, tree, theme, parent, message):
    with pytest.raises(ValidationError, match=message):
        services.theme_move(
            actor=people.curator, theme=tree[theme], parent=tree[parent]
        )
    assert Theme.objects.get(slug="mistrust").parent == tree["distrust"]


def test_only_curators_move_themes(people, tree):
    with pytest.raises(PermissionDenied):
        services.theme_move(actor=people.annotator, theme=tree["mistrust"], parent=None)


def test_merging_a_parent_hands_its_children_to_the_target(people, tree):
    services.theme_merge(
        actor=people.curator, source=tree["distrust"], target=tree["sovereignty"]
    )
    assert Theme.objects.get(slug="mistrust").parent == tree["sovereignty"]


def test_merging_into_a_descendant_keeps_a_tree(people, tree):
    # distrust > mistrust > suspicion; merge distrust into suspicion.
    services.theme_merge(
        actor=people.curator, source=tree["distrust"], target=tree["suspicion"]
    )
    parents = selectors.theme_parents(first_project())
    suspicion = Theme.objects.get(slug="suspicion")
    assert suspicion.parent is None  # took distrust's place at the top
    assert Theme.objects.get(slug="mistrust").parent == suspicion
    assert not hierarchy.would_cycle(parents, suspicion.pk, None)
    assert len(hierarchy.depth_first(parents)) == len(parents)  # no loop hides any


def test_roll_up_counts_each_passage_once(people, paragraphs, tree):
    AnnotationFactory(paragraph=paragraphs[0], themes=[tree["distrust"]])
    # Coded with the parent and a child: one passage for the parent.
    AnnotationFactory(
        paragraph=paragraphs[1], themes=[tree["distrust"], tree["mistrust"]]
    )
    AnnotationFactory(paragraph=paragraphs[2], themes=[tree["suspicion"]])
    AnnotationFactory(paragraph=paragraphs[2], themes=[tree["sovereignty"]])
    rows = {
        node.theme.slug: (node.depth, node.rolled_up)
        for node in selectors.theme_tree(first_project())
    }
    assert rows == {
        "bilateralism": (0, 0),
        "distrust": (0, 3),
        "mistrust": (1, 2),
        "suspicion": (2, 1),
        "sovereignty": (0, 1),
    }
    order = [node.theme.slug for node in selectors.theme_tree(first_project())]
    assert order == ["bilateralism", "distrust", "mistrust", "suspicion", "sovereignty"]


def test_codebook_page_shows_the_tree(signed_in, people, tree):
    page = signed_in(people.viewer).get("/codebook/").content.decode()
    assert page.index("Distrust") < page.index("Mistrust") < page.index("Suspicion")
    assert 'class="depth-2' in page and "(level 3)" in page
    detail = signed_in(people.viewer).get("/codebook/suspicion/").content.decode()
    assert (
        'href="/codebook/distrust/">Distrust</a> › <a href="/codebook/mistrust/"'
        in detail
    )


def test_move_page_refuses_a_cycle_with_a_message(signed_in, people, tree):
    client = signed_in(people.curator)
    response = client.post(
        "/codebook/distrust/move/", {"parent": "suspicion"}, follow=True
    )
    assert "cannot go under one of its own sub-themes" in response.content.decode()
    moved = client.post("/codebook/sovereignty/move/", {"parent": "mistrust"})
    assert moved.status_code == 302
    assert Theme.objects.get(slug="sovereignty").parent == tree["mistrust"]
    unknown = client.post(
        "/codebook/sovereignty/move/", {"parent": "nope"}, follow=True
    )
    assert "Choose a theme of the codebook" in unknown.content.decode()


def test_api_exposes_the_parent(api_as, people, tree):
    results = api_as(people.viewer).get("/api/themes").json()["results"]
    parents = {row["slug"]: row["parent"] for row in results}
    assert parents["suspicion"] == "mistrust" and parents["distrust"] is None


def test_search_indexes_a_sub_themes_ancestors(people, paragraphs, tree, hook):
    AnnotationFactory(paragraph=paragraphs[0], themes=[tree["suspicion"]])
    AnnotationFactory(paragraph=paragraphs[1], themes=[tree["sovereignty"]])
    found = selectors.themes_by_paragraph([paragraphs[0].pk, paragraphs[1].pk])
    assert found == {
        paragraphs[0].pk: ["distrust", "mistrust", "suspicion"],
        paragraphs[1].pk: ["sovereignty"],
    }
    hook.clear()
    services.theme_move(actor=people.curator, theme=tree["mistrust"], parent=None)
    assert hook.ids == {paragraphs[0].pk}  # reindexed: it lost “distrust”
    assert selectors.themes_by_paragraph([paragraphs[0].pk])[paragraphs[0].pk] == [
        "mistrust",
        "suspicion",
    ]


def test_search_theme_facets_roll_up_to_the_parent(people, paragraphs, tree):
    """A paragraph coded with a sub-theme counts for its ancestors too, once
    however many of the family it carries; the theme filter on a parent finds
    its sub-themes' paragraphs."""
    from search.services import search_paragraphs

    coded = [
        (paragraphs[0], ["suspicion"]),
        (paragraphs[1], ["distrust"]),
        (paragraphs[2], ["mistrust", "distrust", "sovereignty"]),
    ]
    for paragraph, slugs in coded:
        services.annotation_create(
            author=people.annotator, paragraph=paragraph, start=0, end=4, themes=slugs
        )
    result = search_paragraphs(
        project=first_project(), query="", filters={"theme": ["distrust"]}
    )
    assert result.total == 3
    counts = {row.value: row.count for row in result.facets["theme"]}
    # mistrust: its own paragraph and its sub-theme's
    assert counts == {"distrust": 3, "mistrust": 2, "suspicion": 1, "sovereignty": 1}
