"""Read Gloss's configuration from the environment.

Pure helpers used by ``config.settings`` (and testable without Django), plus a
tiny entry point, ``python -m config.environment``, that prepares the data
directory and a persisted secret key before the first production-mode start
(``make run`` calls it). It prints paths, never the key.

Secret key policy, in order:

1. ``SECRET_KEY`` from the environment, when set and non-empty.
2. The key persisted in ``$GLOSS_DATA_DIR/secret_key``, when that file exists.
3. With ``DEBUG`` on: a new random key, written to that file (mode 0600) so
   sessions survive restarts.
4. Otherwise refuse to start: a production process never falls back to a
   fixed or throwaway key.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = "secret_key"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_bool(environ: Mapping[str, str], name: str, default: bool = False) -> bool:
    """Parse a boolean variable; unknown words are an error, not ``False``.

    >>> env_bool({"DEBUG": "yes"}, "DEBUG")
    True
    >>> env_bool({}, "DEBUG", default=True)
    True
    """
    if name not in environ:
        return default
    word = environ[name].strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={environ[name]!r} is not a boolean (use 1/0)")


def env_list(environ: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    """Parse a comma-separated list, ignoring blanks.

    >>> env_list({"HOSTS": "a.example, b.example,"}, "HOSTS", [])
    ['a.example', 'b.example']
    """
    if not environ.get(name, "").strip():
        return list(default)
    return [item.strip() for item in environ[name].split(",") if item.strip()]


def data_dir(environ: Mapping[str, str]) -> Path:
    """Return ``GLOSS_DATA_DIR`` (default ``var/`` in the repository), created.

    A relative value is taken relative to the repository root, so every
    process (gunicorn, manage.py, pytest) agrees whatever its working directory.
    """
    path = Path(environ.get("GLOSS_DATA_DIR") or "var")
    if not path.is_absolute():
        path = BASE_DIR / path
    path.mkdir(mode=0o700, parents=True, exist_ok=True)  # the database, the key
    return path


def private_file(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only, if it is missing
    (SQLite would create the database file world-readable under umask 022)."""
    if ":memory:" in str(path) or path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process made it first


def secret_key(environ: Mapping[str, str], directory: Path, *, debug: bool) -> str:
    """Resolve the secret key by the policy in this module's docstring."""
    if environ.get("SECRET_KEY", "").strip():
        return environ["SECRET_KEY"].strip()
    persisted = read_secret_key(directory / SECRET_KEY_FILE)
    if persisted:
        return persisted
    if debug:
        return create_secret_key(directory / SECRET_KEY_FILE)
    raise ImproperlyConfigured(
        "SECRET_KEY is not set and DEBUG is off. Set SECRET_KEY, or create a "
        f"persisted key in {directory / SECRET_KEY_FILE} with "
        "`python -m config.environment` (make run does this)."
    )


def read_secret_key(path: Path) -> str:
    """Return the key stored in ``path``, or ``""`` when there is none."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def create_secret_key(path: Path) -> str:
    """Write a new random key to ``path`` (owner-only) and return it.

    ``O_EXCL`` makes concurrent starters agree: the loser reads the winner's key.
    """
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_secret_key(path)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key


def main() -> None:
    """Create the data directory and, unless SECRET_KEY is set, a persisted key."""
    directory = data_dir(os.environ)
    if os.environ.get("SECRET_KEY", "").strip():
        print(f"Data directory: {directory} (SECRET_KEY comes from the environment)")
        return
    path = directory / SECRET_KEY_FILE
    existed = bool(read_secret_key(path))
    if not existed:
        create_secret_key(path)
    print(f"Secret key: {path} ({'kept' if existed else 'created'})")


if __name__ == "__main__":
    main()
