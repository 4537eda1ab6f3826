"""Several app hosts, one PostgreSQL database (README, "Several hosts").

Two gunicorn servers, started as ``make run`` starts one (``gunicorn.conf.py``)
but each with its own data directory, share the test database and the
PostgreSQL search backend. A tag made through one is found by a ``theme:``
search on the other in the very next request; when one host is killed
(SIGKILL, no clean shutdown) the other keeps tagging and searching, and the
killed one, started again, finds what was tagged meanwhile.

PostgreSQL only: on SQLite there is nothing to share between hosts, so the
test is skipped with that reason. CI's PostgreSQL pass runs it (it has no
other skip).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from accounts import services as account_services
from accounts.roles import Role
from search.backend import get_backend
from tests.factories import DocumentFactory, ParagraphFactory, ThemeFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT = 90.0

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several hosts share one PostgreSQL database; this run is on "
        f"{connection.vendor}",
    ),
    pytest.mark.django_db(transaction=True),  # the servers must see the data
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """The test database (pytest-django's), as the servers' DATABASE_URL."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@dataclass
class Host:
    """One app server: a gunicorn master (its own process group) and its data."""

    name: str
    data_dir: Path
    port: int
    token: str
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "GLOSS_SEARCH_BACKEND": "postgres",
            "GLOSS_DATA_DIR": str(self.data_dir),
            "GLOSS_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "SECRET_KEY": "several-hosts-test-key",
            "DEBUG": "0",
        }
        with (self.data_dir / "gunicorn.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own server
                [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py")],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers and children: one group
            )
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, (
                f"{self.name} exited: {self.log_tail()}"
            )
            try:
                self.get("/api/themes")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        raise AssertionError(f"{self.name} did not start: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the master, its workers and its children (the group it leads)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self) -> str:
        path = self.data_dir / "gunicorn.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback only
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def tag(self, paragraph_id: int, text: str, theme: str) -> None:
        span = {"paragraph": paragraph_id, "start": 0, "end": len(text)}
        self.request("POST", "/api/annotations", {**span, "themes": [theme]})

    def theme_search(self, theme: str) -> set[int]:
        found = self.get(f"/api/search?q=theme:{theme}&page_size=100")
        return {row["paragraph"]["id"] for row in found["results"]}


TEXTS = [
    "Security cooperation between Canada and Mexico grew after 2001.",
    "Distrust of U.S. authorities runs deep in Mexico.",
    "The security perimeter was never built.",
]


@pytest.fixture
def hosts(tmp_path: Path, settings) -> Iterator[tuple[Host, Host, list[int]]]:
    settings.GLOSS_SEARCH_BACKEND = "postgres"
    document = DocumentFactory(source_name="hosts.txt", slug="hosts")
    ids = [
        ParagraphFactory(document=document, position=n, text=text).id
        for n, text in enumerate(TEXTS)
    ]
    ThemeFactory(name="Perimeter", slug="perimeter")
    annotator = UserFactory(role=Role.ANNOTATOR)
    token = account_services.api_token_create(user=annotator)
    get_backend().rebuild()
    pair = []
    for name in ("host-a", "host-b"):
        (tmp_path / name).mkdir()
        pair.append(Host(name, tmp_path / name, free_port(), token))
    try:
        for host in pair:
            host.start()
        yield pair[0], pair[1], ids
    finally:
        for host in pair:
            host.stop()


def test_a_tag_on_one_host_is_found_on_the_other_and_both_survive_a_kill(
    hosts: tuple[Host, Host, list[int]],
) -> None:
    a, b, ids = hosts
    assert a.data_dir != b.data_dir
    assert b.theme_search("perimeter") == set()

    a.tag(ids[2], TEXTS[2], "perimeter")
    assert b.theme_search("perimeter") == {ids[2]}  # the next request, other host

    b.tag(ids[0], TEXTS[0], "perimeter")
    assert a.theme_search("perimeter") == {ids[0], ids[2]}

    a.kill()
    b.tag(ids[1], TEXTS[1], "perimeter")  # the survivor keeps writing
    assert b.theme_search("perimeter") == set(ids)
    assert b.get("/api/search?q=security")["total"] == 2

    a.start()  # the killed host, started again, sees what happened meanwhile
    assert a.theme_search("perimeter") == set(ids)
    assert get_backend().drift().clean  # index = database
    assert not list(a.data_dir.glob("index/*")) and not list(
        b.data_dir.glob("index/*")
    )  # no host kept an index of its own
