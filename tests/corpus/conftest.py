"""Corpus pages need a signed-in person with a role: the client is a Viewer.

Uploads: ``curator_client`` may upload; ``run_worker`` runs the real task
worker loop (django-tasks-db's ``db_worker``) in this process until the queue
is empty; ``worker_process`` starts it as a separate process on the test
database (for tests that need to kill it, or a live server)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from accounts.roles import Role
from tests.factories import UserFactory

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"


@pytest.fixture
def client(client: Client, db: None) -> Client:
    """pytest-django's client, signed in as a Viewer (the least role that reads)."""
    client.force_login(UserFactory(role=Role.VIEWER))
    return client


@pytest.fixture
def curator_client(db: None) -> Client:
    curator = Client()
    curator.force_login(UserFactory(role=Role.CURATOR))
    return curator


@pytest.fixture
def run_worker(db: None, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run every queued task with the real worker loop, here (``--batch``).

    The loop calls ``close_old_connections`` between tasks, which would close
    the connection holding the test's transaction; Django's own test client
    disconnects it from requests for the same reason."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run


def _test_database_url() -> str:
    """The URL of the database this test uses (pytest-django's test copy)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "localhost"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{params['NAME']}"


@pytest.fixture
def worker_process(
    tmp_path: Path, settings
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """``worker_process(**env)`` starts ``manage.py db_worker`` on the test
    database, with this test's media and index folders (GLOSS_DATA_DIR is
    tmp_path, as MEDIA_ROOT and GLOSS_INDEX_DIR are here). Needs
    ``django_db(transaction=True)``: the worker sees committed rows only."""
    settings.MEDIA_ROOT = tmp_path / "media"  # where the worker's settings put it
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, **env: str) -> subprocess.Popen[bytes]:
        environ = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "GLOSS_DATA_DIR": str(tmp_path),
            "SECRET_KEY": "a key for the test worker only",
            "GLOSS_INGEST_LEASE_SECONDS": str(settings.GLOSS_INGEST_LEASE_SECONDS),
            **env,
        }
        command = [sys.executable, str(MANAGE), "db_worker", "--no-reload"]
        command += ["--no-startup-delay", "--interval", "0.1", *args]
        process = subprocess.Popen(command, env=environ)  # noqa: S603
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
