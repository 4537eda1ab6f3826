"""Configuration from the environment: data directory and secret key policy."""

from __future__ import annotations

import doctest
import stat
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
