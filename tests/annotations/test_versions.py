"""No lost updates: annotations and themes carry a version; a write made from
an older version is refused (409 in the API and the pages) and changes
nothing; every write bumps it."""

from __future__ import annotations

import pytest

from annotations import services
from annotations.models import Activity, Annotation, AnnotationChange, Theme
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(people, paragraphs, themes) -> Annotation:
    return services.annotation_create(
        author=people.annotator,
        paragraph=paragraphs[0],
        start=0,
        end=11,
        themes=["sovereignty"],
        note="first",
    )


def test_an_edit_bumps_the_version(people, tagged):
    assert tagged.version == 1
    services.annotation_update(actor=people.annotator, annotation=tagged, note="2")
    tagged.refresh_from_db()
    assert tagged.version == 2
    services.annotation_update(
        actor=people.annotator, annotation=tagged, note="3", version=2
    )
    tagged.refresh_from_db()
    assert (tagged.version, tagged.note) == (3, "3")


def test_a_stale_edit_is_refused_and_changes_nothing(people, tagged):
    services.annotation_update(actor=people.curator, annotation=tagged, note="cleo")
    activity = Activity.objects.count()
    changes = AnnotationChange.objects.count()
    with pytest.raises(services.VersionConflict) as raised:
        services.annotation_update(
            actor=people.annotator,
            annotation=tagged,
            note="ana's",
            themes=["distrust"],
            version=1,
        )
    assert raised.value.expected == 1
    assert raised.value.current.version == 2
    assert "version 1" in str(raised.value) and "version 2" in str(raised.value)
    tagged.refresh_from_db()
    assert (tagged.note, tagged.version) == ("cleo", 2)
    assert [t.slug for t in tagged.themes.all()] == ["sovereignty"]
    assert Activity.objects.count() == activity
    assert AnnotationChange.objects.count() == changes


def test_a_stale_delete_is_refused(people, tagged):
    services.annotation_update(actor=people.annotator, annotation=tagged, note="x")
    with pytest.raises(services.VersionConflict):
        services.annotation_delete(actor=people.annotator, annotation=tagged, version=1)
    assert Annotation.objects.filter(pk=tagged.pk).exists()
    services.annotation_delete(actor=people.annotator, annotation=tagged, version=2)
    assert not Annotation.objects.filter(pk=tagged.pk).exists()


def test_every_theme_write_bumps_its_version(people, themes):
    curator = people.curator
    theme = themes["distrust"]
    theme = services.theme_update(actor=curator, theme=theme, description="new")
    assert theme.version == 2
    theme = services.theme_retire(actor=curator, theme=theme, retired=True)
    assert theme.version == 3
    theme = services.theme_retire(actor=curator, theme=theme, retired=False)
    theme = services.theme_move(
        actor=curator, theme=theme, parent=themes["sovereignty"]
    )
    assert Theme.objects.get(pk=theme.pk).version == 5
    target = themes["bilateralism"]
    services.theme_merge(actor=curator, source=theme, target=target)
    assert Theme.objects.get(pk=target.pk).version == 2


@pytest.mark.parametrize(
    "write",
    [
        # each: a theme write given the version the caller read (1, now stale)
        lambda c, t, o: services.theme_update(actor=c, theme=t, name="X", version=1),
        lambda c, t, o: services.theme_retire(actor=c, theme=t, version=1),
        lambda c, t, o: services.theme_move(actor=c, theme=t, parent=o, version=1),
        lambda c, t, o: services.theme_merge(actor=c, source=t, target=o, version=1),
    ],
    ids=["rename", "retire", "move", "merge"],
)
def test_stale_theme_writes_are_refused(people, themes, write):
    theme = services.theme_update(
        actor=people.curator, theme=themes["distrust"], description="someone's"
    )
    before = list(Theme.objects.values_list("name", "retired", "parent", "version"))
    with pytest.raises(services.VersionConflict):
        write(people.curator, theme, themes["sovereignty"])
    after = list(Theme.objects.values_list("name", "retired", "parent", "version"))
    assert after == before


# --- the API ------------------------------------------------------------------


def test_api_patch_with_the_current_version_saves(api_as, people, tagged):
    response = api_as(people.annotator).patch(
        f"/api/annotations/{tagged.pk}", {"note": "mine", "version": 1}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["note"] == "mine"


def test_api_patch_with_a_stale_version_is_409_with_both(api_as, people, tagged):
    services.annotation_update(actor=people.curator, annotation=tagged, note="cleo")
    response = api_as(people.annotator).patch(
        f"/api/annotations/{tagged.pk}",
        {"note": "ana's", "themes": ["distrust"], "version": 1},
    )
    assert response.status_code == 409
    body = response.json()
    assert "changed this annotation" in body["error"]
    assert body["yours"] == {"note": "ana's", "themes": ["distrust"], "version": 1}
    assert body["current"]["version"] == 2
    assert body["current"]["note"] == "cleo"
    assert body["current"]["themes"] == ["sovereignty"]
    tagged.refresh_from_db()
    assert (tagged.note, tagged.version) == ("cleo", 2)


def test_api_delete_with_a_stale_version_is_409(api_as, people, tagged):
    services.annotation_update(actor=people.annotator, annotation=tagged, note="x")
    client = api_as(people.annotator)
    response = client.delete(f"/api/annotations/{tagged.pk}?version=1")
    assert response.status_code == 409
    assert response.json()["current"]["version"] == 2
    assert Annotation.objects.filter(pk=tagged.pk).exists()
    assert client.delete(f"/api/annotations/{tagged.pk}?version=2").status_code == 204


def test_api_without_a_version_still_writes(api_as, people, paragraphs, themes):
    """Scripts written before versions keep working (the last write wins)."""
    annotation = AnnotationFactory(paragraph=paragraphs[1], author=people.annotator)
    response = api_as(people.annotator).patch(
        f"/api/annotations/{annotation.pk}", {"note": "ok"}
    )
    assert response.status_code == 200


def test_api_refuses_a_malformed_version(api_as, people, tagged):
    response = api_as(people.annotator).patch(
        f"/api/annotations/{tagged.pk}", {"note": "x", "version": "one"}
    )
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


# --- the pages ----------------------------------------------------------------


def test_the_theme_form_carries_its_version(signed_in, people, themes):
    page = signed_in(people.curator).get("/codebook/distrust/edit/").content.decode()
    assert 'name="version" value="1"' in page
    detail = signed_in(people.curator).get("/codebook/distrust/").content.decode()
    assert detail.count('name="version" value="1"') == 2  # move, merge
    assert "/codebook/distrust/retire/?version=1" in detail  # to its confirmation
    confirm = signed_in(people.curator).get("/codebook/distrust/retire/?version=1")
    assert 'name="version" value="1"' in confirm.content.decode()  # travels on


def test_a_stale_theme_form_shows_both_versions_and_saves_nothing(
    signed_in, people, themes
):
    services.theme_update(
        actor=people.admin, theme=themes["distrust"], description="Theirs."
    )
    data = {
        "name": "Mistrust",
        "description": "Mine.",
        "colour": "#123456",
        "version": "1",
    }
    client = signed_in(people.curator)
    response = client.post("/codebook/distrust/edit/", data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved: someone else changed this theme" in page
    assert "Mine." in page and "Theirs." in page
    assert 'name="version" value="2"' in page  # saving again replaces theirs
    theme = Theme.objects.get(pk=themes["distrust"].pk)
    assert (theme.name, theme.description, theme.version) == ("Distrust", "Theirs.", 2)
    again = client.post("/codebook/distrust/edit/", {**data, "version": "2"})
    assert again.status_code == 302
    assert Theme.objects.get(pk=theme.pk).description == "Mine."


def test_a_stale_retire_is_a_message_not_a_change(signed_in, people, themes):
    theme = themes["distrust"]
    services.theme_update(actor=people.admin, theme=theme, colour="#000000")
    client = signed_in(people.curator)
    response = client.post(
        "/codebook/distrust/retire/",
        {"retired": "1", "version": "1", "confirm": "yes"},
        follow=True,
    )
    assert "Someone else changed this theme" in response.content.decode()
    assert not Theme.objects.get(pk=themes["distrust"].pk).retired
