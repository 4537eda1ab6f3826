"""The pages of undo and history: the codebook's confirmation steps (merge,
retire, delete say what will happen; a GET or an unconfirmed POST changes
nothing), the activity log's pages and filters (bad parameters are a 400 with
a message), and Undo from the log."""

from __future__ import annotations

import re

import pytest

from annotations import services
from annotations.models import Activity, Annotation, Memo, Theme
from tests.factories import AnnotationFactory, ThemeFactory, first_project

pytestmark = pytest.mark.django_db


def state() -> tuple:
    return (
        list(Theme.objects.order_by("pk").values()),
        sorted(Annotation.objects.values_list("pk", "tagged_items__tag_id")),
        list(Memo.objects.values_list("pk", "text")),
        list(Activity.objects.values_list("pk", "undone_by")),
    )


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def tagged(themes, paragraphs, people):
    AnnotationFactory(paragraph=paragraphs[0], themes=[themes["distrust"]])
    AnnotationFactory(
        paragraph=paragraphs[1], themes=[themes["distrust"], themes["sovereignty"]]
    )
    ThemeFactory(slug="suspicion", name="Suspicion", parent=themes["distrust"])
    Memo.objects.create(
        project=first_project(),
        author=people.annotator,
        text="m",
        theme=themes["distrust"],
    )
    return themes


def test_the_merge_page_says_what_will_happen_and_writes_nothing(
    signed_in, people, tagged
):
    client = signed_in(people.curator)
    before = state()
    page = client.get("/codebook/distrust/merge/", {"target": "sovereignty"})
    assert page.status_code == 200
    said = text(page)
    assert "Merge Distrust into Sovereignty?" in said
    assert (
        "2 annotations of Distrust move to Sovereignty "
        "(1 of them also carry Sovereignty: they keep one)." in said
    )
    assert "Its sub-themes move under Sovereignty: Suspicion." in said
    assert "1 memo on Distrust are deleted." in said
    unconfirmed = client.post("/codebook/distrust/merge/", {"target": "sovereignty"})
    assert unconfirmed.status_code == 200
    assert "Merge Distrust into Sovereignty?" in text(unconfirmed)
    assert state() == before
    done = client.post(
        "/codebook/distrust/merge/", {"target": "sovereignty", "confirm": "yes"}
    )
    assert done["Location"] == "/codebook/sovereignty/"
    assert not Theme.objects.filter(slug="distrust").exists()


def test_a_merge_page_with_a_bad_target_says_so(signed_in, people, tagged):
    client = signed_in(people.curator)
    for target in ("", "no-such", "distrust"):
        page = client.get("/codebook/distrust/merge/", {"target": target})
        assert page.status_code == 200
        assert "Choose an active theme" in text(page)


def test_the_retire_page_confirms_and_restore_needs_no_step(signed_in, people, tagged):
    client = signed_in(people.curator)
    before = state()
    page = client.get("/codebook/distrust/retire/")
    assert "The 2 annotations that have it keep it." in text(page)
    assert state() == before
    client.post("/codebook/distrust/retire/", {"retired": "1", "confirm": "yes"})
    assert Theme.objects.get(slug="distrust").retired
    again = client.get("/codebook/distrust/retire/")
    assert "Distrust is retired already." in text(again)
    assert 'name="confirm"' not in again.content.decode()
    client.post("/codebook/distrust/retire/", {"retired": "0"})
    assert not Theme.objects.get(slug="distrust").retired


def test_the_delete_page(signed_in, people, tagged):
    client = signed_in(people.curator)
    before = state()
    used = client.get("/codebook/distrust/delete/")
    assert "2 annotations carry Distrust: merge it into another theme" in text(used)
    refused = client.post("/codebook/distrust/delete/", {"confirm": "yes"})
    assert refused.status_code == 200
    assert state() == before
    page = client.get("/codebook/suspicion/delete/")
    assert "Suspicion is removed from the codebook." in text(page)
    assert client.post("/codebook/suspicion/delete/").status_code == 200
    assert state() == before
    done = client.post("/codebook/suspicion/delete/", {"confirm": "yes"})
    assert done["Location"] == "/codebook/"
    assert not Theme.objects.filter(slug="suspicion").exists()


# --- the log ----------------------------------------------------------------


def _log_many(n: int, people) -> list[int]:
    project = first_project()
    return [
        Activity.objects.create(
            project=project, actor=people.annotator, verb="annotated", summary=f"#{i}"
        ).pk
        for i in range(n)
    ]


def entry_ids(response) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'data-entry="(\d+)"', response.content.decode())
    ]


def test_the_log_pages_back_through_all_history(signed_in, people, themes):
    ids = _log_many(120, people)
    client = signed_in(people.viewer)
    seen, url = [], "/activity/"
    for _ in range(5):
        page = client.get(url)
        assert page.status_code == 200
        seen += entry_ids(page)
        older = re.search(r'href="\?before=(\d+)"', page.content.decode())
        if older is None:
            break
        url = f"/activity/?before={older.group(1)}"
    assert seen == ids[::-1]  # every entry once, newest first
    back = client.get(f"/activity/?after={ids[49]}")  # the page before the last
    assert entry_ids(back) == ids[50:100][::-1]
    small = client.get("/activity/", {"size": "7"})
    assert entry_ids(small) == ids[::-1][:7]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"size": "0"}, "size must be a number from 1 to 200"),  # too small
        ({"size": "9999"}, "size must be a number from 1 to 200"),  # too large
        ({"size": "x"}, "size must be a number from 1 to 200"),  # not a number
        ({"before": "abc"}, "That place in the log is unknown"),  # not an id
        ({"before": "99999999"}, "That place in the log is unknown"),  # no such entry
        ({"after": "9" * 40}, "That place in the log is unknown"),  # absurdly long
        ({"action": "exploded"}, "Unknown action"),  # not a verb
    ],
)
def test_bad_log_parameters_are_a_message(signed_in, people, themes, query, message):
    _log_many(3, people)
    page = signed_in(people.viewer).get("/activity/", query)
    assert page.status_code == 400
    assert message in text(page)


def test_the_log_filters_by_person_theme_and_action(
    signed_in, people, themes, paragraphs
):
    services.annotation_create(
        author=people.annotator,
        paragraph=paragraphs[0],
        start=0,
        end=5,
        themes=["distrust"],
    )
    services.annotation_create(
        author=people.other,
        paragraph=paragraphs[1],
        start=0,
        end=5,
        themes=["sovereignty"],
    )
    services.theme_retire(actor=people.curator, theme=themes["bilateralism"])
    client = signed_in(people.viewer)

    def summaries(**query):
        page = client.get("/activity/", query)
        assert page.status_code == 200
        ids = entry_ids(page)
        return [Activity.objects.get(pk=pk).verb for pk in ids], ids

    verbs, _ = summaries(theme="distrust")
    assert verbs == ["annotated"]
    verbs, ids = summaries(user="ben")
    assert [Activity.objects.get(pk=pk).actor for pk in ids] == [people.other]
    verbs, _ = summaries(action="theme-retired")
    assert verbs == ["theme-retired"]
    verbs, _ = summaries(action="theme-retired", theme="distrust")
    assert verbs == []


def test_undo_from_the_log(signed_in, people, tagged):
    services.theme_merge(
        actor=people.curator, source=tagged["distrust"], target=tagged["sovereignty"]
    )
    entry = Activity.objects.get(verb="theme-merged")
    client = signed_in(people.curator)
    log = client.get("/activity/").content.decode()
    assert f'action="/activity/{entry.pk}/undo/"' in log
    before = state()
    confirm = client.get(f"/activity/{entry.pk}/undo/")
    assert confirm.status_code == 200 and "Undo this change?" in text(confirm)
    assert state() == before  # a GET never writes
    response = client.post(f"/activity/{entry.pk}/undo/")
    assert response["Location"] == "/activity/"
    assert Theme.objects.filter(slug="distrust").exists()
    log = client.get("/activity/")
    assert "Undone: merged the theme Distrust" in text(log)
    assert "undone" in text(log)
    assert f'action="/activity/{entry.pk}/undo/"' not in log.content.decode()
    again = client.post(f"/activity/{entry.pk}/undo/", follow=True)
    assert "Not undone: This was undone already." in text(again)


def test_the_log_offers_undo_only_to_who_may(signed_in, people, themes, paragraphs):
    services.annotation_create(
        author=people.annotator,
        paragraph=paragraphs[0],
        start=0,
        end=5,
        themes=["distrust"],
    )
    entry = Activity.objects.get(verb="annotated")
    button = f'action="/activity/{entry.pk}/undo/"'
    assert button in signed_in(people.annotator).get("/activity/").content.decode()
    for person in (people.other, people.curator, people.viewer):
        assert button not in signed_in(person).get("/activity/").content.decode()
    refused = signed_in(people.other).post(f"/activity/{entry.pk}/undo/")
    assert refused.status_code == 403
    assert Annotation.objects.count() == 1
