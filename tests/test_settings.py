"""Configuration from the environment: data directory and secret key policy."""

from __future__ import annotations

import doctest
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import environment
from config.environment import data_dir, env_bool, secret_key


def test_module_doctests() -> None:
    assert doctest.testmod(environment).failed == 0


def test_runtime_paths_live_in_the_data_dir() -> None:
    # The settings module itself: tests point the live setting at tmp_path.
    from config import settings as configured

    assert configured.GLOSS_INDEX_DIR == configured.GLOSS_DATA_DIR / "index"
    assert configured.MEDIA_ROOT == configured.GLOSS_DATA_DIR / "media"
    assert Path(settings.GLOSS_DATA_DIR).is_dir()
    assert "taggit" in settings.INSTALLED_APPS


def test_data_dir_is_created_and_relative_to_the_repo(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert data_dir({"GLOSS_DATA_DIR": str(target)}) == target
    assert target.is_dir()
    assert data_dir({}) == environment.BASE_DIR / "var"


def test_env_bool_rejects_unknown_words() -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool({"DEBUG": "maybe"}, "DEBUG")


def test_secret_key_from_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("persisted")
    assert secret_key({"SECRET_KEY": "from-env"}, tmp_path, debug=False) == "from-env"


def test_debug_generates_and_persists_a_private_key(tmp_path: Path) -> None:
    key = secret_key({}, tmp_path, debug=True)
    path = tmp_path / "secret_key"
    assert len(key) >= 50
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key({}, tmp_path, debug=True) == key  # stable across restarts
    assert secret_key({}, tmp_path, debug=False) == key  # production may reuse it


def test_production_without_a_key_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        secret_key({}, tmp_path, debug=False)
    assert not (tmp_path / "secret_key").exists()


def test_generated_keys_differ(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    assert secret_key({}, one, debug=True) != secret_key({}, two, debug=True)


def test_data_dir_and_database_file_are_private(tmp_path: Path) -> None:
    target = tmp_path / "state"
    data_dir({"GLOSS_DATA_DIR": str(target)})
    environment.private_file(target / "gloss.sqlite3")
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert stat.S_IMODE((target / "gloss.sqlite3").stat().st_mode) == 0o600
    environment.private_file(target / "gloss.sqlite3")  # an existing file: kept


def test_pages_send_a_strict_content_security_policy(client) -> None:
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "'unsafe-inline'" not in policy.split("style-src-attr")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_no_template_has_inline_script() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\bon[a-z]+=\"", re.IGNORECASE)
    for template in (environment.BASE_DIR / "templates").rglob("*.html"):
        found = inline.search(template.read_text(encoding="utf-8"))
        assert found is None, f"{template.name}: {found.group()}"


def deploy_check(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=environment.BASE_DIR,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60)} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_behind_tls() -> None:
    result = deploy_check(GLOSS_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    plain = deploy_check(GLOSS_HTTPS="0")  # the same warnings a plain HTTP host has
    assert {"security.W004", "security.W008", "security.W012", "security.W016"} <= set(
        re.findall(r"security\.W\d+", plain.stdout + plain.stderr)
    )


def test_the_favicon_is_served_to_anyone(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
