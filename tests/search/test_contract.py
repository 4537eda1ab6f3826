"""The backend contract (tests/search/contract.py) against every engine: Whoosh
on a real index in tmp_path, and PostgreSQL when the test database is
PostgreSQL (on SQLite that engine cannot exist, so its half is skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from search.postgres_backend import PostgresBackend
from search.whoosh_backend import WhooshBackend
from tests.search.contract import BackendContract, MakeBackend, ProjectContract


@pytest.fixture(params=["whoosh", "postgres"])
def make_backend(request: pytest.FixtureRequest, tmp_path: Path) -> MakeBackend:
    if request.param == "whoosh":
        return lambda source: WhooshBackend(tmp_path / "index", source)
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend runs only on a PostgreSQL database")
    return lambda source: PostgresBackend(source)


@pytest.mark.django_db  # the PostgreSQL backend's entries live in the database
class TestBackendContract(BackendContract):
    """Every contract test, once per engine."""


@pytest.mark.django_db
class TestProjectContract(ProjectContract):
    """The two-project tests, once per engine."""
