"""gunicorn.conf.py's ``post_worker_init``: a web worker opens the search
index and fills its per-segment caches before its first request."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings

from search import whoosh_backend
from tests.factories import DocumentFactory

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


class Worker:
    log = logging.getLogger("tests.gunicorn")


@pytest.fixture
def conf(monkeypatch) -> ModuleType:
    # The module sets GLOSS_SEARCH_DRAINER for the workers it forks: undone after.
    monkeypatch.setenv("GLOSS_SEARCH_DRAINER", "inline")
    spec = importlib.util.spec_from_file_location("gunicorn_conf_tested", CONF)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_worker_fills_the_search_caches_before_its_first_request(
    conf, small_corpus, monkeypatch
) -> None:
    monkeypatch.setattr(whoosh_backend, "_VOCABULARY_CACHE", {})
    conf.post_worker_init(Worker())
    # The misspelt word's correction read the live segment's vocabulary.
    assert whoosh_backend._VOCABULARY_CACHE


def test_a_worker_does_not_build_a_missing_index(conf, db) -> None:
    DocumentFactory()  # a project with records, and no index yet
    conf.post_worker_init(Worker())
    assert not list(Path(settings.GLOSS_INDEX_DIR).glob("build-*"))
