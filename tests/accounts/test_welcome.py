"""The one-time welcome link: good once, then refused; expired and forged
links are refused with a page that says so (400), never a 500."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts import services
from accounts.roles import Role
from accounts.tokens import welcome_tokens
from tests.factories import PASSWORD, first_project

User = get_user_model()
NEW_PASSWORD = "a-long-fresh-passphrase"
SET = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}


@pytest.fixture
def invited(db):
    user, link = services.member_invite(
        project=first_project(),
        username="nadia",
        name="Nadia Ali",
        role=Role.ANNOTATOR,
        site_url="http://testserver/",
    )
    return user, link.removeprefix("http://testserver")


def refused(response) -> None:
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_a_good_link_sets_the_password_and_signs_in(invited, client):
    user, path = invited
    form = client.get(path)
    assert form.status_code == 200 and "nadia" in form.content.decode()
    assert form["Cache-Control"].startswith("max-age=0")
    response = client.post(path, SET)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/", follow=True).content.decode()
    assert "Welcome, Nadia Ali." in home and "Annotator" in home
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Signed out, the new password signs in through the sign-in page.
    client.post("/accounts/logout/")
    signed = client.post(
        "/accounts/login/", {"username": "nadia", "password": NEW_PASSWORD}
    )
    assert signed.status_code == 302


def test_a_used_link_is_refused(invited):
    user, path = invited
    Client().post(path, SET)
    refused(Client().get(path))
    refused(Client().post(path, {**SET, "new_password1": "x", "new_password2": "x"}))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_link_is_refused_once_a_password_was_set_otherwise(invited, client):
    """E.g. by a site admin in the Django admin: the token hashes the password."""
    user, path = invited
    user.set_password(PASSWORD)
    user.save()
    refused(client.get(path))


def test_an_expired_link_is_refused(invited, settings, monkeypatch):
    user, path = invited
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(welcome_tokens, "_now", lambda: later)
    refused(Client().get(path))
    refused(Client().post(path, SET))
    user.refresh_from_db()
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/welcome/{uid}/{token}x/",  # token altered
        "/accounts/welcome/{uid}/abc-123/",  # made up
        "/accounts/welcome/Zm9v/{token}/",  # uid of no account ("foo")
        "/accounts/welcome/%FF%FE/{token}/",  # not base64 of an id
        "/accounts/welcome/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/{token}/",  # huge id
    ],
)
def test_a_forged_link_is_refused(invited, client, path):
    user, good = invited
    *_, uid, token, _ = good.split("/")
    refused(client.get(path.format(uid=uid, token=token)))
    refused(client.post(path.format(uid=uid, token=token), SET))
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_reset_token_does_not_open_a_welcome_link(invited, client):
    """The welcome tokens have a salt of their own."""
    from django.contrib.auth.tokens import default_token_generator

    user, good = invited
    *_, uid, _, _ = good.split("/")
    refused(
        client.get(
            f"/accounts/welcome/{uid}/{default_token_generator.make_token(user)}/"
        )
    )


def test_an_inactive_account_cannot_use_its_link(invited, client):
    user, path = invited
    User.objects.filter(pk=user.pk).update(is_active=False)
    refused(client.get(path))


def test_a_bad_password_is_explained_and_the_link_stays_good(invited, client):
    user, path = invited
    response = client.post(path, {"new_password1": "abc", "new_password2": "abd"})
    assert response.status_code == 400
    assert "didn" in response.content.decode()  # the two fields didn’t match
    assert client.get(path).status_code == 200
    user.refresh_from_db()
    assert not user.has_usable_password()
