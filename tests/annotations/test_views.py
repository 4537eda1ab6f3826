"""Pages: sign-in, the seeded codebook and its curation, activity and counts,
agreement, bulk review, and the reading page's annotation layer."""

from __future__ import annotations

import json
import re

import pytest

from accounts import services as account_services
from accounts.models import ApiToken
from accounts.roles import Role
from annotations import services
from annotations.models import Activity, Annotation, Theme
from tests.factories import PASSWORD, AnnotationFactory, UserFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- sign-in ----------------------------------------------------------------


def test_sign_in_and_out(client, db):
    UserFactory(username="vera", role=Role.VIEWER)
    page = html(client.get("/accounts/login/"))
    assert "Sign in" in page and 'href="/static/css/gloss.css"' in page
    wrong = client.post("/accounts/login/", {"username": "vera", "password": "nope"})
    assert "Please enter a correct username and password" in html(wrong)
    right = client.post(
        "/accounts/login/",
        {"username": "vera", "password": PASSWORD, "next": "/codebook/"},
    )
    assert right.status_code == 302 and right["Location"] == "/codebook/"
    home = html(client.get("/"))
    assert "Coder" in home and "Viewer" in home  # name and role in the header
    assert 'href="/admin/"' not in home  # not an admin
    out = client.post("/accounts/logout/")
    assert out.status_code == 302 and out["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_only_staff_see_the_django_admin_link(signed_in, people):
    """A project admin manages the team page; the Django admin is for staff
    (it would answer a project admin "not authorized")."""
    assert 'href="/admin/"' not in html(signed_in(people.admin).get("/"))
    staff = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert 'href="/admin/"' in html(signed_in(staff).get("/"))


def test_forbidden_page_explains(signed_in, people):
    response = signed_in(people.annotator).get("/codebook/new/")
    assert response.status_code == 403
    assert "This page needs the Curator role." in response.content.decode()


# --- codebook ---------------------------------------------------------------


def test_migration_seeds_the_codebook_with_definitions(db):
    seeded = {t.slug: t for t in Theme.objects.all()}
    assert {"sovereignty", "distrust", "bilateralism"} <= set(seeded)
    for theme in (seeded["sovereignty"], seeded["distrust"], seeded["bilateralism"]):
        assert len(theme.description) > 100
        assert theme.inclusion and theme.exclusion
        assert re.fullmatch(r"#[0-9a-f]{6}", theme.colour)
    assert str(seeded["distrust"].guid) == "6f1c2a4e-3b7d-4e0a-9c51-2d8f0b6a1e02"
    assert "Mérida" in seeded["bilateralism"].inclusion


def test_codebook_pages(signed_in, people, themes):
    listing = html(signed_in(people.viewer).get("/codebook/"))
    assert "Sovereignty" in listing and "New theme" not in listing
    detail = html(signed_in(people.viewer).get("/codebook/distrust/"))
    assert "Do not code it for" in detail and str(themes["distrust"].guid) in detail
    assert "Retire" not in detail
    curator = html(signed_in(people.curator).get("/codebook/distrust/"))
    assert (
        "Retire" in curator and "Merge into" in curator and "Edit or rename" in curator
    )


def test_new_theme_through_the_page(signed_in, people, themes):
    client = signed_in(people.curator)
    response = client.post(
        "/codebook/new/",
        {"name": "Reciprocity", "description": "Give and take.", "colour": "#336699"},
    )
    assert (
        response.status_code == 302 and response["Location"] == "/codebook/reciprocity/"
    )
    assert Theme.objects.get(slug="reciprocity").description == "Give and take."
    again = client.post("/codebook/new/", {"name": "reciprocity", "colour": "#336699"})
    assert "already exists" in html(again)
    bad = client.post("/codebook/new/", {"name": "X", "colour": "blue"})
    assert "hex colour" in html(bad)


def test_rename_through_the_page_keeps_annotations(
    signed_in, people, paragraphs, themes
):
    annotation = AnnotationFactory(paragraph=paragraphs[0], themes=[themes["distrust"]])
    edit = html(signed_in(people.curator).get("/codebook/distrust/edit/"))
    assert 'value="Distrust"' in edit
    response = signed_in(people.curator).post(
        "/codebook/distrust/edit/",
        {
            "name": "Mistrust",
            "description": "d",
            "inclusion": "",
            "exclusion": "",
            "colour": "#aa0000",
        },
    )
    assert response["Location"] == "/codebook/mistrust/"
    assert [t.slug for t in annotation.themes.all()] == ["mistrust"]


def test_merge_and_retire_through_the_page(signed_in, people, paragraphs, themes):
    AnnotationFactory(paragraph=paragraphs[0], themes=[themes["distrust"]])
    client = signed_in(people.curator)
    confirm = {"target": "sovereignty", "confirm": "yes"}
    response = client.post("/codebook/distrust/merge/", confirm)
    assert response["Location"] == "/codebook/sovereignty/"
    page = html(client.get(response["Location"]))
    assert "Merged Distrust into Sovereignty (1 annotations)." in page
    retired = client.post(
        "/codebook/bilateralism/retire/", {"retired": "1", "confirm": "yes"}
    )
    assert retired.status_code == 302
    assert Theme.objects.get(slug="bilateralism").retired
    assert "Restore" in html(client.get("/codebook/bilateralism/"))
    bad = client.post("/codebook/sovereignty/merge/", {"target": "bilateralism"})
    assert "Choose an active theme" in html(client.get(bad["Location"]))


def test_merge_and_retire_act_only_when_confirmed(signed_in, people, themes):
    """The confirmation pages (GET, or a POST without ``confirm``) change
    nothing; tests/annotations/test_undo_views.py has the pages themselves."""
    client = signed_in(people.curator)
    before = list(Theme.objects.values_list("slug", "retired"))
    assert client.get("/codebook/distrust/merge/?target=sovereignty").status_code == 200
    assert client.get("/codebook/distrust/retire/").status_code == 200
    assert (
        client.post("/codebook/distrust/merge/", {"target": "sovereignty"}).status_code
        == 200
    )
    assert (
        client.post("/codebook/distrust/retire/", {"retired": "1"}).status_code == 200
    )
    assert list(Theme.objects.values_list("slug", "retired")) == before


# --- activity, counts, agreement ---------------------------------------------


def test_activity_attributes_everything_and_escapes_notes(
    signed_in, people, paragraphs, themes
):
    services.annotation_create(
        author=people.annotator,
        paragraph=paragraphs[0],
        start=0,
        end=11,
        themes=["sovereignty"],
        note="<script>alert(1)</script>",
    )
    services.annotation_create(
        author=people.other,
        paragraph=paragraphs[1],
        start=0,
        end=6,
        themes=["distrust"],
    )
    page = html(signed_in(people.viewer).get("/activity/"))
    assert "Ana Test" in page and "Ben Test" in page
    assert "Sovereignty: “Sovereignty”" in page
    assert "<script>alert(1)</script>" not in page
    rows = dict(
        re.findall(
            r'<tr data-theme="(\w+)">.*?<td class="count"[^>]*>(\d+)</td>', page, re.S
        )
    )
    assert (
        rows["sovereignty"] == "1"
        and rows["distrust"] == "1"
        and rows["bilateralism"] == "0"
    )
    assert "Security cooperation" in page  # the per-document table
    only_ben = html(signed_in(people.viewer).get("/activity/?user=ben"))
    assert "Distrust: “Mexico”" in only_ben and "“Sovereignty”" not in only_ben
    theme_page = html(signed_in(people.viewer).get("/codebook/sovereignty/"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in theme_page


def test_activity_lists_orphans(signed_in, people, paragraphs, themes):
    annotation = AnnotationFactory(paragraph=paragraphs[0], themes=[themes["distrust"]])
    Annotation.objects.filter(pk=annotation.pk).update(paragraph=None, orphaned=True)
    page = html(signed_in(people.curator).get("/activity/"))
    assert "Orphaned annotations" in page and annotation.quote[:30] in page


def test_agreement_page(signed_in, people, paragraphs, themes):
    AnnotationFactory(
        paragraph=paragraphs[0], author=people.annotator, themes=[themes["distrust"]]
    )
    AnnotationFactory(
        paragraph=paragraphs[0], author=people.other, themes=[themes["distrust"]]
    )
    AnnotationFactory(
        paragraph=paragraphs[1], author=people.other, themes=[themes["distrust"]]
    )
    page = html(signed_in(people.curator).get("/agreement/"))
    assert "Krippendorff" in page and "ana · ben" in page
    detail = html(signed_in(people.curator).get("/agreement/?theme=distrust"))
    assert "Where coders differ on Distrust" in detail
    assert "Tagged by <strong>ben</strong>; not by ana." in detail
    assert f'href="/documents/doc/#p-{paragraphs[1].position}"' in detail


# --- bulk review ------------------------------------------------------------


def test_bulk_review_shows_then_tags(signed_in, people, paragraphs, themes):
    client = signed_in(people.annotator)
    p0, p1 = paragraphs[0].pk, paragraphs[1].pk
    query = f"paragraphs={p0},999999,x&spans={p1}:0-6,{p1}:0-900&theme=distrust"
    url = f"/annotations/bulk-review/?{query}"
    page = html(client.get(url))
    assert "Paragraph 999999 does not exist." in page
    assert "“x” is not a paragraph id" in page
    assert "<mark>Mexico</mark>" in page
    assert "outside this paragraph" in page
    assert '<option value="distrust" selected>' in page
    data = {
        "paragraphs": f"{p0}",
        "spans": f"{p1}:0-6",
        "theme": "distrust",
        "item": [str(p0), f"{p1}:0-6"],
        "note": "from search",
    }
    response = client.post("/annotations/bulk-review/", data)
    assert response.status_code == 302 and response["Location"] == "/activity/"
    assert Annotation.objects.filter(note="from search").count() == 2
    again = client.post("/annotations/bulk-review/", data, follow=True)
    assert "Tagged 0 passages with Distrust (2 already tagged, skipped)." in html(again)
    assert Activity.objects.filter(verb="bulk-tagged").count() == 2


def test_bulk_review_needs_a_passage(signed_in, people, paragraphs, themes):
    p0 = paragraphs[0].pk
    response = signed_in(people.annotator).post(
        "/annotations/bulk-review/", {"paragraphs": str(p0), "theme": "distrust"}
    )
    assert "Keep at least one passage." in html(response)
    assert not Annotation.objects.exists()


def test_bulk_review_without_items(signed_in, people, themes):
    assert "Nothing to review" in html(
        signed_in(people.annotator).get("/annotations/bulk-review/")
    )


# --- the reading page -------------------------------------------------------


def reader_config(page: str) -> dict:
    found = re.search(
        r'<script id="gloss-reader-config" type="application/json">(.*?)</script>',
        page,
        re.S,
    )
    return json.loads(found.group(1))


def test_reading_page_carries_the_annotation_layer(
    signed_in, people, paragraphs, themes
):
    page = html(signed_in(people.annotator).get("/documents/doc/"))
    assert 'src="/static/js/reader.js"' in page
    assert f'data-id="{paragraphs[0].pk}"' in page
    config = reader_config(page)
    assert config["document"] == "doc"
    assert config["user"] == {"username": "ana", "name": "Ana Test"}
    assert (config["canAnnotate"], config["canModerate"]) == (True, False)
    assert config["api"] == {
        "themes": "/api/themes",
        "annotations": "/api/annotations",
        "live": "/api/documents/doc/live",
    }
    assert config["liveCursor"] == 0  # no change yet
    assert config["csrfToken"]


def test_viewer_reader_config_has_no_write_rights(signed_in, people, document, themes):
    config = reader_config(html(signed_in(people.viewer).get("/documents/doc/")))
    assert (config["canAnnotate"], config["canModerate"]) == (False, False)
    curator = reader_config(html(signed_in(people.curator).get("/documents/doc/")))
    assert (curator["canAnnotate"], curator["canModerate"]) == (True, True)


def test_admin_token_list_shows_the_expiry(signed_in, people):
    account_services.api_token_create(user=people.annotator)
    expires = ApiToken.objects.get().expires
    site_admin = UserFactory(is_superuser=True, is_staff=True)
    page = signed_in(site_admin).get("/admin/accounts/apitoken/")
    assert page.status_code == 200
    assert "column-expires" in html(page)
    assert f"{expires:%Y}" in html(page)
