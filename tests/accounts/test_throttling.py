"""Sign-in throttling (django-axes): 5 wrong passwords for one user name from
one address lock that pair out for the cool-off, with a clear page (429);
the lockout changes nothing else, and a success forgets the failures."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.roles import Role
from config import environment
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
User = get_user_model()


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.fixture
def vera(db):
    return UserFactory(username="vera", role=Role.VIEWER)


def test_five_wrong_passwords_lock_out_even_the_right_one(vera, client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        wrong = sign_in(client, "vera", "nope")
        assert wrong.status_code == 200
        assert "Please enter a correct username" in wrong.content.decode()
    fifth = sign_in(client, "vera", "nope")
    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert "Too many attempts" in html and "after 5 wrong passwords" in html
    assert "try again in 15 minutes" in html
    sixth = sign_in(client, "vera", PASSWORD)  # the right password, still refused
    assert sixth.status_code == 429 and "Too many attempts" in sixth.content.decode()
    assert client.get("/").status_code == 302  # not signed in


def test_the_lockout_changes_nothing_else(vera, client):
    token = services.api_token_create(user=vera)
    before = User.objects.values_list("pk", "password", "is_active", "last_login")
    before = list(before)
    for _ in range(6):
        sign_in(client, "vera", "nope")
    assert (
        list(User.objects.values_list("pk", "password", "is_active", "last_login"))
        == before
    )
    # Another person, and the same person from elsewhere, still sign in.
    UserFactory(username="ana", role=Role.VIEWER)
    assert sign_in(Client(), "ana", PASSWORD).status_code == 302
    elsewhere = sign_in(Client(REMOTE_ADDR="10.0.0.9"), "vera", PASSWORD)
    assert elsewhere.status_code == 302
    # Scripts' tokens are not passwords: the API still answers them.
    api = Client().get("/api/annotations", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200


def test_an_open_session_survives_a_lockout(vera, signed_in):
    mine = signed_in(vera)
    for _ in range(5):
        sign_in(Client(), "vera", "nope")
    assert mine.get("/").status_code == 200


def test_the_lockout_ends_after_the_cool_off(vera, client, settings):
    for _ in range(5):
        sign_in(client, "vera", "nope")
    assert sign_in(client, "vera", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    assert sign_in(client, "vera", PASSWORD).status_code == 302


def test_a_success_forgets_the_failures(vera, client):
    for _ in range(4):
        sign_in(client, "vera", "nope")
    assert sign_in(client, "vera", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert sign_in(client, "vera", "nope").status_code == 200  # count restarted
    assert sign_in(client, "vera", PASSWORD).status_code == 302


def test_a_spoofed_forwarded_address_does_not_dodge_the_limit(vera):
    for n in range(5):
        sign_in(Client(), "vera", "nope", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    refused = sign_in(Client(), "vera", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert refused.status_code == 429


def test_unknown_names_are_throttled_too(db, client):
    for _ in range(5):
        last = sign_in(client, "ghost", "nope")
    assert last.status_code == 429


def test_the_admin_sign_in_is_throttled_as_well(vera, client):
    vera.is_staff = True
    vera.save()
    for _ in range(5):
        client.post("/admin/login/", {"username": "vera", "password": "nope"})
    response = client.post("/admin/login/", {"username": "vera", "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.parametrize(
    "env",
    [
        {"GLOSS_SIGNIN_FAILURES": "0"},  # would lock everyone out at once
        {"GLOSS_SIGNIN_COOLOFF_MINUTES": "0"},  # a lockout that never ends
    ],
)
def test_a_policy_that_cannot_work_refuses_to_start(env):
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=environment.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "must be at least 1" in result.stderr
