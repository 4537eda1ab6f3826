"""The permission matrix: every role × every write action, in the pages and
the API, plus reads for every role, for an account without a role, and for
anonymous visitors."""

from __future__ import annotations

import json

import pytest

from accounts import services as account_services
from accounts.roles import Role, role_of
from annotations.models import Activity, Annotation, ConsensusDecision, Memo, Theme
from annotations.snapshots import annotation_state, theme_state
from corpus.models import Document, Paragraph
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ProjectFactory,
    ThemeFactory,
    UserFactory,
    first_project,
)

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "annotator", "curator", "admin"]
AT_LEAST = {
    "annotator": {"annotator", "curator", "admin"},
    "curator": {"curator", "admin"},
    "admin": {"admin"},
}


def _json(client, method, url, body=None):
    send = getattr(client, method)
    if body is None:
        return send(url)
    return send(url, json.dumps(body), content_type="application/json")


# Each action: (name, who may, function(client, ctx) -> response).
def api_create(client, ctx):
    body = {"paragraph": ctx["p"].pk, "start": 0, "end": 5, "themes": ["distrust"]}
    return _json(client, "post", "/api/annotations", body)


def api_patch_own(client, ctx):
    return _json(client, "patch", f"/api/annotations/{ctx['own'].pk}", {"note": "x"})


def api_delete_own(client, ctx):
    return _json(client, "delete", f"/api/annotations/{ctx['own'].pk}")


def api_patch_others(client, ctx):
    return _json(client, "patch", f"/api/annotations/{ctx['others'].pk}", {"note": "x"})


def api_delete_others(client, ctx):
    return _json(client, "delete", f"/api/annotations/{ctx['others'].pk}")


def api_patch_own_versioned(client, ctx):
    body = {"note": "x", "version": ctx["own"].version}
    return _json(client, "patch", f"/api/annotations/{ctx['own'].pk}", body)


def api_delete_own_versioned(client, ctx):
    url = f"/api/annotations/{ctx['own'].pk}?version={ctx['own'].version}"
    return _json(client, "delete", url)


def api_bulk(client, ctx):
    body = {"theme": "distrust", "items": [{"paragraph": ctx["p"].pk}]}
    return _json(client, "post", "/api/annotations/bulk", body)


def page_bulk_review(client, ctx):
    return client.get(f"/annotations/bulk-review/?paragraphs={ctx['p'].pk}")


def page_bulk_confirm(client, ctx):
    pk = str(ctx["p"].pk)
    data = {"paragraphs": pk, "theme": "distrust", "item": [pk]}
    return client.post("/annotations/bulk-review/", data)


def page_theme_new(client, ctx):
    return client.post("/codebook/new/", {"name": "Reciprocity", "colour": "#123456"})


def page_theme_edit(client, ctx):
    data = {"name": "Distrust", "description": "new", "colour": "#123456"}
    return client.post("/codebook/distrust/edit/", data)


def page_theme_merge(client, ctx):
    data = {"target": "sovereignty", "confirm": "yes"}
    return client.post("/codebook/distrust/merge/", data)


def page_theme_retire(client, ctx):
    return client.post("/codebook/distrust/retire/", {"retired": "1", "confirm": "yes"})


def page_merge_confirmation(client, ctx):
    return client.get("/codebook/distrust/merge/", {"target": "sovereignty"})


def page_retire_confirmation(client, ctx):
    return client.get("/codebook/distrust/retire/")


def page_delete_confirmation(client, ctx):
    return client.get("/codebook/bilateralism/delete/")


def page_theme_delete(client, ctx):
    return client.post("/codebook/bilateralism/delete/", {"confirm": "yes"})


def page_undo_own_annotation(client, ctx):
    return client.post(f"/activity/{ctx['own_entry'].pk}/undo/")


def page_undo_codebook_change(client, ctx):
    return client.post(f"/activity/{ctx['codebook_entry'].pk}/undo/")


def _undo_entries(user, own) -> dict:
    """An entry of ``user``'s own new annotation ``own``, and a theme deletion."""
    project = first_project()
    gone = ThemeFactory(slug="obsolete", name="Obsolete")
    snapshot = {"theme": theme_state(gone), "children": [], "memos": []}
    gone.delete()
    return {
        "own_entry": Activity.objects.create(
            project=project,
            actor=user,
            verb=Activity.Verb.ANNOTATED,
            summary="own",
            snapshot={"after": annotation_state(own)},
        ),
        "codebook_entry": Activity.objects.create(
            project=project,
            verb=Activity.Verb.THEME_DELETED,
            summary="deleted",
            snapshot=snapshot,
        ),
    }


def page_theme_edit_versioned(client, ctx):
    data = {"name": "Distrust", "description": "v", "colour": "#123456", "version": 1}
    return client.post("/codebook/distrust/edit/", data)


def page_memo_new(client, ctx):
    return client.post("/analysis/memos/new/", {"subject": "", "text": "A note."})


def page_theme_move(client, ctx):
    return client.post("/codebook/distrust/move/", {"parent": "sovereignty"})


def page_theme_reorder(client, ctx):
    return client.post("/codebook/sovereignty/reorder/", {"direction": "up"})


def _record_url(ctx, action, position=0):
    return f"/documents/doc/records/{ctx['paragraphs'][position].pk}/{action}/"


def page_document_edit(client, ctx):
    return client.post("/documents/doc/edit/", {"title": "Renamed", "authors": ""})


def page_document_delete(client, ctx):
    return client.post("/documents/doc/delete/")


def page_record_merge(client, ctx):
    return client.post(_record_url(ctx, "merge"), {"joiner": "space"})


def page_record_split(client, ctx):
    data = {"point": "custom", "offset": "11", "second_kind": "paragraph"}
    return client.post(_record_url(ctx, "split"), data)


def page_record_kind(client, ctx):
    return client.post(_record_url(ctx, "kind"), {"kind": "heading"})


def page_record_hide(client, ctx):
    return client.post(_record_url(ctx, "hide"))


def page_record_show(client, ctx):
    return client.post(f"/documents/doc/records/{ctx['hidden'].pk}/show/")


def page_import_form(client, ctx):
    return client.get("/import/")


def page_rounds(client, ctx):
    return client.get("/agreement/rounds/")


def page_round_open(client, ctx):
    data = {
        "name": "Pilot",
        "documents": [ctx["other_document"].pk],
        "coders": ["someone", "second"],
    }
    return client.post("/agreement/rounds/", data)


def page_round_close(client, ctx):
    return client.post(f"/agreement/rounds/{ctx['round'].pk}/close/")


def _open_round(paragraphs, someone):
    """An open blind round on the document for someone and a second annotator."""
    from annotations import rounds

    curator = UserFactory(role=Role.CURATOR)
    second = UserFactory(username="second", role=Role.ANNOTATOR)
    return rounds.round_open(
        actor=curator,
        project=first_project(),
        name="Open one",
        documents=[paragraphs[0].document],
        coders=[someone, second],
    )


def page_settle(client, ctx):
    data = {"paragraph": ctx["p"].pk, "theme": "distrust", "decision": "keep"}
    return client.post("/adjudicate/decide/", data)


ACTIONS = [
    ("API create", "annotator", api_create),
    ("API edit own", "annotator", api_patch_own),
    ("API delete own", "annotator", api_delete_own),
    ("API edit someone else's", "curator", api_patch_others),
    ("API delete someone else's", "curator", api_delete_others),
    ("API edit own with its version", "annotator", api_patch_own_versioned),
    ("API delete own with its version", "annotator", api_delete_own_versioned),
    ("API bulk tag", "annotator", api_bulk),
    ("page bulk review", "annotator", page_bulk_review),
    ("page bulk confirm", "annotator", page_bulk_confirm),
    ("page new theme", "curator", page_theme_new),
    ("page edit theme", "curator", page_theme_edit),
    ("page edit theme with its version", "curator", page_theme_edit_versioned),
    ("page merge themes", "curator", page_theme_merge),
    ("page retire theme", "curator", page_theme_retire),
    ("page merge confirmation", "curator", page_merge_confirmation),
    ("page retire confirmation", "curator", page_retire_confirmation),
    ("page delete confirmation", "curator", page_delete_confirmation),
    ("page delete theme", "curator", page_theme_delete),
    ("page undo own annotation change", "annotator", page_undo_own_annotation),
    ("page undo codebook change", "curator", page_undo_codebook_change),
    ("page move theme", "curator", page_theme_move),
    ("page reorder theme", "curator", page_theme_reorder),
    ("page write memo", "annotator", page_memo_new),
    ("page edit document details", "curator", page_document_edit),
    ("page delete document", "curator", page_document_delete),
    ("page merge records", "curator", page_record_merge),
    ("page split record", "curator", page_record_split),
    ("page change record kind", "curator", page_record_kind),
    ("page hide record", "curator", page_record_hide),
    ("page show record", "curator", page_record_show),
    ("page import form", "curator", page_import_form),
    ("page rounds", "curator", page_rounds),
    ("page open round", "curator", page_round_open),
    ("page close round", "curator", page_round_close),
    ("page settle a disagreement", "curator", page_settle),
]
# Actions that only show a form or a review: allowed, they change nothing.
SHOW_ONLY = {
    "page bulk review",
    "page import form",
    "page rounds",
    "page merge confirmation",
    "page retire confirmation",
    "page delete confirmation",
}


def state() -> tuple:
    """Everything a write could change, to prove a refusal changed nothing."""
    return (
        list(Annotation.objects.values_list("id", "note").order_by("id")),
        list(
            Theme.objects.values_list(
                "slug", "retired", "description", "parent", "position"
            ).order_by("id")
        ),
        list(Memo.objects.values_list("id", "text")),
        Activity.objects.count(),
        list(Paragraph.objects.values_list("id", "position", "kind", "text", "hidden")),
        list(Document.objects.values_list("id", "title")),
        list(ConsensusDecision.objects.values_list("id", "present")),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "needs", "action"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_permission_matrix(signed_in, paragraphs, themes, role, name, needs, action):
    user = UserFactory(username=role, role=Role.parse(role))
    someone = UserFactory(username="someone", role=Role.ANNOTATOR)
    ctx = {
        "p": paragraphs[0],
        "paragraphs": paragraphs,
        # A viewer's "own" annotation: made before they were demoted to viewer.
        "own": AnnotationFactory(paragraph=paragraphs[1], author=user),
        "others": AnnotationFactory(paragraph=paragraphs[2], author=someone),
        "hidden": ParagraphFactory(
            document=paragraphs[0].document, position=len(paragraphs), hidden=True
        ),
        "round": _open_round(paragraphs, someone),
        "other_document": DocumentFactory(slug="other-doc"),
    }
    ctx.update(_undo_entries(user, ctx["own"]))
    before = state()
    response = action(signed_in(user), ctx)
    allowed = role in AT_LEAST[needs]
    if needs == "admin":  # the Django admin answers with its own login page
        assert response.status_code == (200 if allowed else 302), name
        return
    if allowed:
        assert response.status_code in (200, 201, 204, 302), (name, response.content)
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
        if name not in SHOW_ONLY:
            assert state() != before, f"{name} by {role} changed nothing"
    else:
        assert response.status_code == 403, (name, role, response.status_code)
        assert state() == before, f"{name} by {role} was refused but wrote"


READ_PAGES = [
    "/",
    "/documents/",
    "/documents/doc/",
    "/documents/doc/?curate=1",  # the controls need Curator; the page does not
    "/codebook/",
    "/codebook/distrust/",
    "/activity/",
    "/agreement/",
    "/agreement/?unit=sentence&bulk=on&search=on",
    "/analysis/",
    "/analysis/passages/?theme=distrust&theme=sovereignty&mode=and",
    "/analysis/matrix/",
    "/analysis/matrix/?by=coder",
    "/analysis/co-occurrence/",
    "/analysis/codeline/",
    "/analysis/codeline/doc/",
    "/analysis/kwic/?keyword=distrust",
    "/analysis/charts/",
    "/analysis/charts/?chart=coders&format=csv",
    "/analysis/passages/?group=theme&order=oldest&kind=paragraph",
    "/analysis/memos/",
    "/search/",
    "/search/?q=sovereignty",
    "/api/search?q=sovereignty",
    "/export/",
    "/adjudicate/",  # every member reads the queue; deciding needs Curator
    "/adjudicate/?status=settled&theme=distrust",
    "/analysis/passages/?layer=consensus",
]

# JSON reads every role may make (the anonymous and no-role answers are the
# API's 401 and 403, tested in test_api.py).
READ_ENDPOINTS = [
    "/api/documents/doc/live",
    "/api/documents/doc/live?since=0",
]


@pytest.mark.parametrize("url", READ_ENDPOINTS)
def test_every_role_reads_every_endpoint(signed_in, people, paragraphs, themes, url):
    for role, user in people.by_role().items():
        assert signed_in(user).get(url).status_code == 200, (role, url)
    assert signed_in(None).get(url).status_code == 401
    assert signed_in(people.nobody).get(url).status_code == 403


@pytest.mark.parametrize("url", READ_PAGES)
def test_every_role_reads_every_page(signed_in, people, paragraphs, themes, url):
    for role, user in people.by_role().items():
        assert signed_in(user).get(url).status_code == 200, (role, url)


@pytest.mark.parametrize(
    "url", READ_PAGES + ["/annotations/bulk-review/", "/codebook/new/"]
)
def test_anonymous_is_sent_to_sign_in(signed_in, document, themes, url):
    response = signed_in(None).get(url)
    if url.startswith("/api/"):  # the API says so in JSON, it sends nowhere
        assert response.status_code == 401
        return
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", READ_PAGES)
def test_account_without_role_is_refused(signed_in, people, paragraphs, themes, url):
    response = signed_in(people.nobody).get(url)
    assert response.status_code == 403
    assert "belongs to no project yet" in response.content.decode()


def test_the_django_admin_is_for_site_admins_not_project_admins(signed_in, people):
    assert signed_in(people.admin).get("/admin/").status_code == 302  # to its login
    site_admin = UserFactory(is_superuser=True, is_staff=True)
    assert signed_in(site_admin).get("/admin/").status_code == 200


def test_sign_in_page_static_and_openapi_are_public(signed_in, db):
    client = signed_in(None)
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/admin/login/").status_code == 200  # the admin's own


def test_superuser_is_admin_of_every_project_without_a_membership(db):
    user = UserFactory(is_superuser=True)
    assert role_of(user, first_project()) is Role.ADMIN
    assert role_of(user, ProjectFactory()) is Role.ADMIN


def test_the_role_is_per_project_and_inactive_has_none(db):
    user, other = UserFactory(role=Role.VIEWER), ProjectFactory()
    account_services.membership_set(user=user, project=other, role=Role.CURATOR)
    fresh = type(user).objects.get(pk=user.pk)
    assert role_of(fresh, first_project()) is Role.VIEWER
    assert role_of(fresh, other) is Role.CURATOR
    assert role_of(UserFactory(), first_project()) is None  # not a member
    fresh.is_active = False
    assert role_of(fresh, other) is None
