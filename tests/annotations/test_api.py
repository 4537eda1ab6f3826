"""The JSON API: shapes, filters, authentication (session and bearer), and
4xx JSON for every kind of bad request (never a 500)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ApiToken
from annotations import services
from annotations.models import Annotation
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db

URL = "/api/annotations"
FIRST = object()  # stands for the first paragraph's id in parametrized payloads


def body(paragraph, **fields):
    return {
        "paragraph": paragraph.pk,
        "start": 0,
        "end": 11,
        "themes": ["sovereignty"],
    } | fields


def assert_error(response, status, fragment=""):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert fragment in data["error"], data
    return data


# --- reads ------------------------------------------------------------------


def test_themes_list_the_codebook(api_as, people, themes):
    services.theme_retire(actor=people.curator, theme=themes["distrust"])
    data = api_as(people.viewer).get("/api/themes").json()
    slugs = [(t["slug"], t["retired"]) for t in data["results"]]
    assert slugs[-1] == ("distrust", True)  # retired last
    assert ("sovereignty", False) in slugs
    sovereignty = next(t for t in data["results"] if t["slug"] == "sovereignty")
    assert set(sovereignty) == {
        "slug",
        "name",
        "description",
        "inclusion",
        "exclusion",
        "colour",
        "guid",
        "retired",
        "parent",
    }


def test_list_filters(api_as, people, paragraphs, themes):
    a = AnnotationFactory(
        paragraph=paragraphs[0], author=people.annotator, themes=[themes["distrust"]]
    )
    b = AnnotationFactory(
        paragraph=paragraphs[1], author=people.other, themes=[themes["sovereignty"]]
    )
    other_doc = AnnotationFactory(author=people.other, themes=[themes["distrust"]])
    client = api_as(people.annotator)

    def ids(**params):
        response = client.get(URL, **params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(document="doc") == [a.pk, b.pk]
    assert ids(paragraph=paragraphs[1].pk) == [b.pk]
    assert sorted(ids(theme="distrust")) == sorted([a.pk, other_doc.pk])
    assert ids(user="me") == [a.pk]
    assert sorted(ids(user="ben")) == sorted([b.pk, other_doc.pk])
    assert ids(document="doc", theme="sovereignty", user="ben") == [b.pk]


def test_list_queries_do_not_grow_with_annotations(
    api_as, people, paragraphs, themes, django_assert_max_num_queries
):
    for paragraph in paragraphs * 4:
        AnnotationFactory(paragraph=paragraph, themes=[themes["distrust"]])
    client = api_as(people.viewer)
    with django_assert_max_num_queries(8):  # session, user, role, count, page, themes
        assert len(client.get(URL, document="doc").json()["results"]) == 12


def test_list_pages(api_as, people, paragraphs, themes):
    for _ in range(3):
        AnnotationFactory(paragraph=paragraphs[0], themes=[themes["distrust"]])
    data = api_as(people.viewer).get(URL, limit=2).json()
    assert (data["count"], len(data["results"]), data["next_offset"]) == (3, 2, 2)
    rest = api_as(people.viewer).get(URL, limit=2, offset=2).json()
    assert (len(rest["results"]), rest["next_offset"]) == (1, None)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"document": "nope"}, "Unknown document"),  # unknown slug
        ({"theme": "nope"}, "Unknown theme"),  # unknown theme
        ({"user": "nope"}, "Unknown user"),  # unknown person
        ({"paragraph": "x"}, "whole number"),  # not a number
        ({"paragraph": "999999"}, "Unknown paragraph"),  # no such paragraph
        ({"limit": "-1"}, "whole number"),  # negative
        # superscript digits pass str.isdigit() and then crash int()
        ({"limit": "²"}, "whole number"),
        ({"offset": "²"}, "whole number"),
        ({"paragraph": "²"}, "whole number"),
        # forms int() and pydantic accept; an API parameter is ASCII digits only
        ({"limit": "+5"}, "whole number"),
        ({"limit": " 5"}, "whole number"),
        ({"offset": "5_000"}, "whole number"),
        ({"offset": "٣"}, "whole number"),  # an Arabic-Indic digit
        ({"offset": str(10**12)}, "whole number"),  # beyond any offset
    ],
)
def test_list_rejects_unknown_filters(api_as, people, params, fragment):
    # 400: the description rules the request out; 422: well-formed, unknown
    status = 422 if fragment.startswith("Unknown") else 400
    assert_error(api_as(people.viewer).get(URL, **params), status, fragment)


# --- create -----------------------------------------------------------------


def test_create_returns_201_with_the_stored_annotation(
    api_as, people, paragraphs, themes
):
    response = api_as(people.annotator).post(
        URL, body(paragraphs[0], note="<b>why</b>", quote="Sovereignty")
    )
    assert response.status_code == 201, response.content
    data = response.json()
    stored = Annotation.objects.get()
    assert response["Location"] == f"/api/annotations/{stored.pk}"
    assert data["id"] == stored.pk
    assert data["quote"] == "Sovereignty" and data["themes"] == ["sovereignty"]
    assert data["note"] == "<b>why</b>"  # stored as text; pages escape it
    assert data["author"] == {"username": "ana", "name": "Ana Test"}
    assert data["document"] == "doc" and data["position"] == 0
    assert data["link"] == "/documents/doc/#p-0"
    assert data["can_change"] is True and data["orphaned"] is False


def test_create_offsets_are_code_points(api_as, people, paragraphs, themes):
    text = paragraphs[2].text
    start = text.index("😀")
    response = api_as(people.annotator).post(
        URL, body(paragraphs[2], start=start, end=len(text), quote="😀 ok")
    )
    assert response.status_code == 201, response.content
    assert response.json()["quote"] == "😀 ok"


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("{not json", "not valid JSON"),  # malformed
        ("[1, 2]", "must be a JSON object"),  # not an object
        ("", "must be a JSON object"),  # empty body
        ({"paragraph": FIRST}, "“start” is required"),  # missing fields
        ({"start": 0, "end": 1, "themes": ["x"]}, "“paragraph” is required"),
        ({"paragraph": "1", "start": 0, "end": 1, "themes": []}, "whole number"),
        ({"paragraph": True, "start": 0, "end": 1, "themes": []}, "whole number"),
        ({"paragraph": FIRST, "start": 0, "end": 1, "themes": "x"}, "list of theme"),
        ({"paragraph": FIRST, "start": 0, "end": 1.5, "themes": []}, "whole number"),
        ({"paragraph": FIRST, "start": 0, "end": 10**12, "themes": []}, "whole number"),
        ({"paragraph": FIRST, "theme": "x"}, "Unknown field(s): theme"),  # typo
        ({"paragraph": FIRST, "end": 1, "themes": ["x"] * 51}, "at most 50"),
        ({"paragraph": FIRST, "end": 1, "themes": [], "x": 1}, "field(s): x"),
        (
            {"paragraph": 999999, "start": 0, "end": 1, "themes": ["x"]},
            "Unknown paragraph",
        ),
    ],
)
def test_create_rejects_malformed_input(
    api_as, people, paragraphs, themes, payload, fragment
):
    if isinstance(payload, dict) and payload.get("paragraph") is FIRST:
        payload = payload | {"paragraph": paragraphs[0].pk}
    response = api_as(people.annotator).post(URL, payload)
    assert_error(response, 422 if fragment.startswith("Unknown p") else 400, fragment)


def test_a_whole_number_may_be_written_as_a_float(api_as, people, paragraphs, themes):
    """JSON Schema counts 5.0 as an integer, and the description says integer."""
    response = api_as(people.annotator).post(URL, body(paragraphs[0], end=5.0))
    assert response.status_code == 201, response.content
    assert response.json()["end"] == 5


@pytest.mark.parametrize(
    ("fields", "status", "field", "fragment"),
    [
        # well-formed, but the paragraph or the codebook refuse it: 422
        ({"start": 5, "end": 500}, 422, "span", "past the end of the paragraph"),
        ({"start": 4, "end": 2}, 422, "span", "greater than start"),
        ({"quote": "Sovereignly"}, 422, "span", "does not match"),
        ({"themes": ["nope"]}, 422, "themes", "Unknown theme: “nope”."),
        # the description rules these out: 400
        ({"themes": []}, 400, "themes", "Pick at least one theme."),
        ({"note": "x" * 5001}, 400, "note", "too long"),
    ],
)
def test_create_validation_errors_name_the_field(
    api_as, people, paragraphs, themes, fields, status, field, fragment
):
    response = api_as(people.annotator).post(URL, body(paragraphs[0], **fields))
    data = assert_error(response, status, fragment)
    assert fragment in " ".join(data["errors"][field])


@pytest.mark.parametrize(
    "note",
    [
        "a\x00b",  # NUL: PostgreSQL refuses it, SQLite truncates at it
        "\ud800",  # an unpaired surrogate: no encoder can write it
    ],
)
def test_unstorable_text_is_a_422_and_nothing_is_stored(
    api_as, people, paragraphs, themes, note
):
    """A string the description allows, that no database can store."""
    response = api_as(people.annotator).post(URL, body(paragraphs[0], note=note))
    data = assert_error(response, 422, "NUL or an unpaired surrogate")
    assert data["errors"]["note"]
    assert not Annotation.objects.exists()


def test_deeply_nested_body_is_a_400(api_as, people, paragraphs, themes):
    nested = "[" * 1000 + "]" * 1000
    payload = '{"paragraph": 1, "start": 0, "end": 1, "themes": ' + nested + "}"
    response = api_as(people.annotator).post(URL, payload)
    assert_error(response, 400, "nests too deeply")
    assert not Annotation.objects.exists()


def test_create_with_retired_theme(api_as, people, paragraphs, themes):
    services.theme_retire(actor=people.curator, theme=themes["sovereignty"])
    response = api_as(people.annotator).post(URL, body(paragraphs[0]))
    assert_error(response, 422, "retired")


def test_huge_body_is_413(api_as, people, paragraphs, themes):
    response = api_as(people.annotator).post(
        URL, body(paragraphs[0], note="x" * 70_000)
    )
    assert_error(response, 413, "too large")


def test_bulk_bodies_may_be_larger_than_other_writes(
    api_as, people, paragraphs, themes
):
    padding = "x" * 100_000  # over the 64 KiB write limit, under the bulk one
    client = api_as(people.annotator)
    create = client.post(URL, body(paragraphs[0], note=padding))
    assert_error(create, 413, "at most 65536 bytes")
    bulk = client.post(
        f"{URL}/bulk",
        {
            "theme": "distrust",
            "items": [{"paragraph": paragraphs[0].pk}],
            "note": padding,
        },
    )
    assert_error(bulk, 400, "too long")  # read and validated: the note's own limit


def test_body_beyond_djangos_upload_limit_is_413(api_as, people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_as(people.annotator).post(f"{URL}/bulk", {"theme": "x" * 2000})
    assert_error(response, 413, "too large")


# --- detail, patch, delete --------------------------------------------------


def test_get_patch_delete(api_as, people, paragraphs, themes):
    annotation = AnnotationFactory(
        paragraph=paragraphs[0], author=people.annotator, themes=[themes["distrust"]]
    )
    client = api_as(people.annotator)
    url = f"{URL}/{annotation.pk}"
    assert client.get(url).json()["themes"] == ["distrust"]
    response = client.patch(url, {"themes": ["sovereignty", "distrust"], "note": "n"})
    assert response.status_code == 200, response.content
    assert response.json()["themes"] == ["distrust", "sovereignty"]
    assert response.json()["note"] == "n"
    response = client.patch(url, {"start": 0, "end": 11, "quote": "Sovereignty"})
    assert response.json()["quote"] == "Sovereignty"
    assert_error(client.patch(url, {"end": 999}), 422, "past the end")
    assert_error(client.patch(url, {"author": "x"}), 400, "Unknown field(s): author")
    assert client.delete(url).status_code == 204
    assert_error(client.get(url), 404, f"No annotation {annotation.pk}")
    assert_error(client.delete(url), 404)


def test_others_annotation_is_403_for_annotator_but_not_curator(
    api_as, people, paragraphs, themes
):
    annotation = AnnotationFactory(paragraph=paragraphs[0], author=people.annotator)
    url = f"{URL}/{annotation.pk}"
    other = api_as(people.other)
    assert other.get(url).json()["can_change"] is False
    assert_error(other.patch(url, {"note": "mine now"}), 403, "only your own")
    assert_error(other.delete(url), 403)
    curator = api_as(people.curator)
    assert curator.get(url).json()["can_change"] is True
    assert curator.patch(url, {"note": "settled"}).status_code == 200


# --- authentication and methods ---------------------------------------------


def test_anonymous_is_401_json_not_a_redirect(api_as, paragraphs, themes):
    client = api_as(None)
    for response in (
        client.get(URL),
        client.get("/api/themes"),
        client.post(URL, body(paragraphs[0])),
        client.delete(f"{URL}/1"),
    ):
        assert_error(response, 401, "Sign in")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_account_without_role_is_403(api_as, people):
    assert_error(api_as(people.nobody).get(URL), 403, "no project")


def test_bearer_token(client, people, paragraphs, themes):
    token = account_services.api_token_create(user=people.annotator)
    assert ApiToken.objects.get().key_hash != token  # only the hash is stored
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post(
        URL, json.dumps(body(paragraphs[0])), content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content  # no CSRF for tokens
    assert response.json()["author"]["username"] == "ana"
    assert ApiToken.objects.get().last_used is not None


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("Bearer not-a-token", "unknown or revoked"),  # wrong token
        ("Basic YWRtaW46YWRtaW4=", "Bearer <token>"),  # other scheme
        ("Bearer ", "Bearer <token>"),  # empty token
    ],
)
def test_bad_authorization_is_401(client, db, header, fragment):
    response = client.get(URL, HTTP_AUTHORIZATION=header)
    assert_error(response, 401, fragment)


def test_revoked_token_or_inactive_user_is_401(client, people):
    token = account_services.api_token_create(user=people.annotator)
    people.annotator.is_active = False
    people.annotator.save()
    assert_error(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}"), 401)


def test_expired_token_is_401_with_a_clear_message(client, people):
    token = account_services.api_token_create(user=people.annotator)
    stored = ApiToken.objects.get()
    stored.expires = timezone.now() - timedelta(seconds=1)
    stored.save()
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    data = assert_error(response, 401, f"expired on {stored.expires:%Y-%m-%d}")
    assert "settings page" in data["error"]  # and how to get a new one
    assert ApiToken.objects.get().last_used is None  # refused before use


def test_token_works_until_it_expires(client, people, settings):
    settings.GLOSS_API_TOKEN_DAYS = 1
    token = account_services.api_token_create(user=people.annotator)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(URL, **headers).status_code == 200
    stored = ApiToken.objects.get()
    assert timedelta(hours=23) < stored.expires - timezone.now() <= timedelta(days=1)
    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert_error(client.get(URL, **headers), 401, "expired")


def test_session_writes_need_csrf(signed_in, people, paragraphs, themes):
    client = signed_in(people.annotator, csrf=True)
    response = client.post(
        URL, json.dumps(body(paragraphs[0])), content_type="application/json"
    )
    assert_error(response, 403, "CSRF")
    client.get("/documents/doc/")  # the reading page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        URL,
        json.dumps(body(paragraphs[0])),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("put", URL, "GET, POST"),
        ("delete", URL, "GET, POST"),
        ("post", "/api/themes", "GET"),
        ("put", f"{URL}/1", "GET, PATCH, DELETE"),
        ("get", f"{URL}/bulk", "POST"),
        ("post", "/api/openapi.json", "GET"),
    ],
)
def test_wrong_method_is_405_with_allow(api_as, people, method, url, allow):
    response = getattr(api_as(people.annotator).client, method)(url)
    assert_error(response, 405)
    assert response["Allow"] == allow


@pytest.mark.parametrize(
    "path",
    [
        "/api/annotations/99999999999999999999",  # past any database integer
        "/api/annotations/0",  # no such annotation
    ],
)
def test_out_of_range_id_is_a_4xx_not_a_500(api_as, people, path):
    response = api_as(people.viewer).get(path)
    assert response.status_code in (400, 404), response.content
    assert "error" in response.json()


def test_anonymous_write_without_csrf_token_is_401_not_403(signed_in, paragraphs):
    client = signed_in(None, csrf=True)  # a browser-like client, signed out
    response = client.post(URL, json.dumps(body(paragraphs[0])), "application/json")
    assert_error(response, 401, "Sign in")


def test_unknown_api_address_is_json_404(api_as, people):
    assert_error(api_as(people.viewer).get("/api/nothing/here"), 404, "No API endpoint")


# --- bulk -------------------------------------------------------------------


def test_bulk_endpoint(api_as, people, paragraphs, themes):
    client = api_as(people.annotator)
    items = [
        {"paragraph": paragraphs[0].pk},
        {"paragraph": paragraphs[1].pk, "start": 0, "end": 6},
    ]
    response = client.post(f"{URL}/bulk", {"theme": "distrust", "items": items})
    assert response.status_code == 201, response.content
    data = response.json()
    assert [a["quote"] for a in data["created"]][1] == "Mexico"
    assert data["skipped"] == 0
    again = client.post(f"{URL}/bulk", {"theme": "distrust", "items": items})
    assert again.status_code == 200 and again.json() == {"created": [], "skipped": 2}


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"items": []}, "“theme” is required"),
        ({"theme": "distrust", "items": "1,2"}, "must be a list of objects"),
        ({"theme": "distrust", "items": [{"paragraph": 1, "start": 0}]}, "both"),
        ({"theme": "distrust", "items": [{"id": 1}]}, "Unknown field(s) in an item"),
        ({"theme": "distrust", "items": []}, "at least one passage"),
        ({"theme": "nope", "items": [{"paragraph": 1}]}, "Unknown theme"),
    ],
)
def test_bulk_rejects_bad_input(api_as, people, paragraphs, themes, payload, fragment):
    status = 422 if fragment in ("both", "Unknown theme") else 400  # the data refuse
    assert_error(
        api_as(people.annotator).post(f"{URL}/bulk", payload), status, fragment
    )


def test_bulk_forbidden_for_viewers(api_as, people, paragraphs, themes):
    payload = {"theme": "distrust", "items": [{"paragraph": paragraphs[0].pk}]}
    assert_error(api_as(people.viewer).post(f"{URL}/bulk", payload), 403)


@pytest.mark.parametrize(
    "payload",
    [
        '{"paragraph": null, "start": null, "end": null, "themes": null}',
        '{"paragraph": {}, "start": [], "end": "9", "themes": [1]}',
        '{"paragraph": 1, "start": 0, "end": 1, "themes": [null], "note": 5}',
        '"\\ud800"',
        "\xff\xfe",
        '{"paragraph": 1, "start": 0, "end": 1, "themes": ["x"], "quote": 3}',
    ],
)
def test_garbage_never_causes_a_500(api_as, people, paragraphs, themes, payload):
    response = api_as(people.annotator).post(URL, payload)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
