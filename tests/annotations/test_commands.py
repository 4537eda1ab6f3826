"""adduser and apitoken, run through call_command with their output asserted."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import ApiToken
from accounts.roles import Role, role_of
from tests.factories import ProjectFactory, first_project

pytestmark = pytest.mark.django_db


class Piped(io.StringIO):
    """Standard input that is a pipe, not a terminal."""

    def isatty(self) -> bool:
        return False


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*args: str, stdin: io.StringIO | None = None) -> str:
    out = StringIO()
    extra = {"stdin": stdin or Terminal()} if args[0] == "adduser" else {}
    call_command(*args, stdout=out, **extra)
    return out.getvalue()


def test_adduser_with_piped_password():
    out = run(
        "adduser", "ana", "--role", "annotator", stdin=Piped("a-long-passphrase-9\n")
    )
    assert out == "Created ana (Annotator).\n"  # no password printed
    user = get_user_model().objects.get(username="ana")
    assert user.check_password("a-long-passphrase-9")
    assert role_of(user, first_project()) is Role.ANNOTATOR
    assert not user.is_staff


def test_adduser_generates_and_prints_a_password_once():
    out = run("adduser", "cleo", "--role", "curator")
    first, second = out.splitlines()
    assert first == "Created cleo (Curator)."
    password = second.removeprefix("Password (shown only this once): ")
    assert len(password) >= 16
    assert get_user_model().objects.get(username="cleo").check_password(password)


def test_adduser_admin_is_the_projects_admin_not_a_site_admin():
    run("adduser", "adam", "--role", "admin")
    user = get_user_model().objects.get(username="adam")
    assert role_of(user, first_project()) is Role.ADMIN
    assert not (user.is_staff or user.is_superuser)  # the Django admin is not theirs


def test_adduser_in_another_project_and_an_unknown_one():
    study = ProjectFactory(slug="study-2")
    run("adduser", "bea", "--role", "viewer", "--project", "study-2")
    user = get_user_model().objects.get(username="bea")
    assert role_of(user, study) is Role.VIEWER
    assert role_of(user, first_project()) is None
    with pytest.raises(CommandError, match="No project 'nope'"):
        run("adduser", "cy", "--role", "viewer", "--project", "nope")
    assert not get_user_model().objects.filter(username="cy").exists()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("adduser", "x", "--role", "boss"), None, "invalid choice"),  # unknown role
        (("adduser", "x", "--role", "viewer"), Piped("123"), "too short"),  # weak
        (("adduser", "x", "--role", "viewer"), Piped("\n"), "no password"),  # empty
    ],
)
def test_adduser_refusals(args, stdin, message):
    with pytest.raises(CommandError, match=message):
        run(*args, stdin=stdin)
    assert not get_user_model().objects.exists()


def test_adduser_existing_name():
    run("adduser", "ana", "--role", "viewer")
    with pytest.raises(CommandError, match="already exists"):
        run("adduser", "ANA", "--role", "viewer")


def test_apitoken_prints_a_token_and_stores_only_its_hash(client):
    run("adduser", "ana", "--role", "annotator")
    token = run("apitoken", "ana").strip()
    assert token.startswith("gloss_") and len(token) > 40
    stored = ApiToken.objects.get()
    assert token not in (stored.key_hash, stored.hint) and stored.hint in token
    response = client.get("/api/themes", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert run("apitoken", "ana", "--revoke") == "Revoked 1 token(s) of ana.\n"
    response = client.get("/api/themes", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_apitoken_unknown_user():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("apitoken", "ghost")


def test_apitoken_shows_when_the_token_expires(settings):
    settings.GLOSS_API_TOKEN_DAYS = 30
    run("adduser", "ana", "--role", "annotator")
    out, err = StringIO(), StringIO()
    call_command("apitoken", "ana", stdout=out, stderr=err)
    expires = ApiToken.objects.get().expires
    assert out.getvalue().strip().startswith("gloss_")  # the token alone
    assert err.getvalue() == f"Expires {expires:%Y-%m-%d %H:%M} UTC.\n"
    lifetime = expires - ApiToken.objects.get().created
    assert round(lifetime.total_seconds() / 86400) == 30  # the setting


def test_apitoken_days_overrides_the_setting_and_must_be_positive():
    run("adduser", "ana", "--role", "annotator")
    call_command("apitoken", "ana", "--days", "2", stdout=StringIO(), stderr=StringIO())
    token = ApiToken.objects.get()
    assert round((token.expires - token.created).total_seconds() / 86400) == 2
    with pytest.raises(CommandError, match="at least one day"):
        call_command("apitoken", "ana", "--days", "0", stdout=StringIO())
