"""Shared fixtures: source files written into tmp_path, a stub pipeline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from corpus.ingestion import pipeline
from corpus.ingestion.pipeline import DocumentDraft, ParagraphDraft
from search.backend import reset_backends

# A 1x1 PNG: binary input that ingestion must refuse.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Settings) -> None:
    """Templates use {% static %}; the manifest storage needs collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def write_source(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a source file into tmp_path/sources and return its path."""
    folder = tmp_path / "sources"
    folder.mkdir()

    def write(name: str, content: str | bytes) -> Path:
        path = folder / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def stub_pipeline(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the pipeline return fixed drafts, to test storage independently of
    the cleaning stages (whose quality tests live in tests/ingestion)."""

    def use(*drafts: ParagraphDraft, lang: str = "en") -> None:
        draft = DocumentDraft(paragraphs=list(drafts), lang=lang)
        monkeypatch.setattr(pipeline, "process", lambda raw: draft)

    return use


def draft(kind: str, text: str, **fields: object) -> ParagraphDraft:
    """A ParagraphDraft with defaults for the fields a test does not care about."""
    return ParagraphDraft(kind=kind, text=text, **fields)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Ingesting keeps each original file under MEDIA_ROOT: a temporary folder
    of its own (not var/, and not tmp_path, which some tests list)."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """The default PBKDF2 costs ~0.3 s a hash; tests sign people in often."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On SQLite, a test database in a file rather than in memory, so that the
    multi-process search tests can share it (PostgreSQL needs nothing)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(autouse=True)
def _search_index_in_tmp(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Every test gets its own index under tmp_path (never var/), built in one
    process (test corpora are small). Global: ingesting and tagging queue index
    updates that a later drain applies, in any app's tests."""
    settings.GLOSS_INDEX_DIR = tmp_path / "index"
    settings.GLOSS_SEARCH_PROCS = 1
    reset_backends()
    yield
    reset_backends()
