"""The settings page: one's own password and API tokens, for everyone signed
in (no project needed). Another person's token is a 404 and stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken
from tests.factories import PASSWORD

URL = "/accounts/settings/"


def page(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


@pytest.mark.parametrize(
    "who", ["viewer", "annotator", "curator", "admin", "nobody", "site_admin"]
)
def test_everyone_signed_in_opens_their_settings(people, signed_in, who):
    html = page(signed_in(people.by_role()[who]).get(URL))
    assert "Change the password" in html and "API tokens" in html
    assert 'href="/accounts/settings/"' in html  # the header's link


def test_strangers_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(
        "/accounts/login/"
    )


def test_someone_in_no_project_is_told_tokens_need_one(people, signed_in):
    html = page(signed_in(people.nobody).get(URL))
    assert "you belong to none yet" in html and "Make a new token" not in html


# --- password -------------------------------------------------------------------


def test_password_change_keeps_the_session(people, signed_in):
    client = signed_in(people.viewer)
    response = client.post(
        "/accounts/settings/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )
    assert "Your password is changed." in page(response)
    people.viewer.refresh_from_db()
    assert people.viewer.check_password("a-new-long-passphrase")
    assert client.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        ("wrong", "a-new-long-passphrase", "a-new-long-passphrase", "incorrectly"),
        (PASSWORD, "a-new-long-passphrase", "another-one-entirely", "didn"),
        (PASSWORD, "short", "short", "too short"),
    ],
)
def test_a_bad_password_change_says_why_and_changes_nothing(
    people, signed_in, old, new1, new2, message
):
    response = signed_in(people.viewer).post(
        "/accounts/settings/password/",
        {"old_password": old, "new_password1": new1, "new_password2": new2},
    )
    assert message in page(response, 400)
    people.viewer.refresh_from_db()
    assert people.viewer.check_password(PASSWORD)


# --- API tokens -------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_works_in_its_project(people, signed_in):
    client = signed_in(people.other_member)
    response = client.post(
        "/accounts/settings/tokens/", {"project": people.other_project.pk}
    )
    html = page(response)
    assert "Copy it now" in html and response["Cache-Control"].startswith("max-age=0")
    row = ApiToken.objects.get(user=people.other_member)
    token = html.split('id="new-token">')[1].split("<")[0]
    assert ApiToken.objects.matching(token).get() == row
    assert row.project == people.other_project
    again = page(client.get(URL))
    assert token not in again and row.hint in again  # listed by its hint only
    script = Client()  # no session: the token alone
    api = script.get("/api/annotations", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200


def test_a_token_for_someone_elses_project_is_refused(people, signed_in):
    response = signed_in(people.viewer).post(
        "/accounts/settings/tokens/", {"project": people.other_project.pk}
    )
    assert "Select a valid choice" in page(response, 400)
    assert not ApiToken.objects.exists()


def test_the_list_shows_project_dates_and_use(people, signed_in):
    _, row = services.api_token_issue(user=people.viewer)
    ApiToken.objects.filter(pk=row.pk).update(last_used=timezone.now())
    services.api_token_issue(user=people.admin)  # someone else's: not listed
    html = page(signed_in(people.viewer).get(URL))
    assert row.hint in html and people.project.name in html
    assert f"{row.expires:%Y-%m-%d}" in html and "never" not in html
    assert html.count("Revoke</button>") == 1


def test_revoking_ones_own_token(people, signed_in):
    token, row = services.api_token_issue(user=people.viewer)
    client = signed_in(people.viewer)
    response = client.post(f"/accounts/settings/tokens/{row.pk}/revoke/", follow=True)
    assert "The token is revoked" in page(response)
    assert not ApiToken.objects.exists()
    api = client.get("/api/annotations", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401


def test_someone_elses_token_is_404_and_stays(people, signed_in):
    _, theirs = services.api_token_issue(user=people.admin)
    response = signed_in(people.viewer).post(
        f"/accounts/settings/tokens/{theirs.pk}/revoke/"
    )
    assert response.status_code == 404
    assert ApiToken.objects.get() == theirs


def test_revoking_takes_a_post(people, signed_in):
    _, row = services.api_token_issue(user=people.viewer)
    response = signed_in(people.viewer).get(
        f"/accounts/settings/tokens/{row.pk}/revoke/"
    )
    assert response.status_code == 405 and ApiToken.objects.exists()


def test_an_expired_token_is_told_where_to_make_a_new_one(people, client):
    token, row = services.api_token_issue(user=people.viewer)
    ApiToken.objects.filter(pk=row.pk).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/api/annotations", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert "/accounts/settings/" in response.json()["error"]
