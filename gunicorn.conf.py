"""gunicorn settings for ``make run``: loopback only, a few sync workers, the
search index's single drainer and the task worker (uploads).

Override with GLOSS_BIND (e.g. 0.0.0.0:8000 behind a proxy) and WEB_CONCURRENCY.

Search consistency: workers never open an index writer. They queue changes in
the outbox (same transaction as the change); one drainer process, started and
kept alive by the gunicorn master, applies them with one writer and one commit
per batch. A search waits for its own person's changes queued before it (not
for everyone's), so a person finds their own edit in their next search.

Uploads: the web workers only store the file and queue a task; one task worker
(``manage.py db_worker``, django-tasks' database backend), also kept alive by
the master, ingests them one at a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GLOSS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
accesslog = "-"
errorlog = "-"

# Workers are forked from this master, so they inherit it.
os.environ["GLOSS_SEARCH_DRAINER"] = "process"

MANAGE = str(Path(__file__).resolve().parent / "manage.py")
RESTART_DELAY = 1.0
# The processes the master keeps alive next to the web workers, one of each:
# the search index's single drainer, and the task worker that ingests uploads.
CHILDREN = {
    "search drainer": [sys.executable, MANAGE, "search_index", "drain", "--follow"],
    "task worker": [
        sys.executable,
        MANAGE,
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.5",
    ],
}
_children: dict[str, Any] = {"processes": {}, "stopping": False}
# Popen waits on a pipe that the child's exec closes. A gunicorn worker forked
# meanwhile (by the master's main thread) inherits that pipe and never execs,
# so Popen would wait forever: no fork while a child is being started.
_fork_guard = threading.RLock()
os.register_at_fork(
    before=_fork_guard.acquire,
    after_in_parent=_fork_guard.release,
    after_in_child=_fork_guard.release,
)


def _start(server: Any, name: str) -> subprocess.Popen[bytes]:
    with _fork_guard:
        process = subprocess.Popen(CHILDREN[name])  # noqa: S603 - our own commands
    server.log.info("%s started (pid %s)", name, process.pid)
    return process


def _supervise(server: Any) -> None:
    """Keep exactly one of each child alive: restart any that dies."""
    processes = _children["processes"]
    while not _children["stopping"]:
        for name in CHILDREN:
            process = processes.get(name)
            if process is None or process.poll() is not None:
                if process is not None:
                    server.log.warning("%s exited (%s)", name, process.returncode)
                processes[name] = _start(server, name)
        time.sleep(RESTART_DELAY)


# Searched once by each web worker before it takes requests: a broad word and
# a misspelt one (its correction reads the spelling vocabulary).
WARM_QUERIES = ("the", "politcal")


def post_worker_init(worker: Any) -> None:
    """Open the search index and fill its per-segment caches (field lengths,
    facet columns, the spelling vocabulary) before the first request: at
    100,000 records that took a new worker's first searches seconds each,
    while people waited. Best effort: a failure only leaves them cold."""
    try:
        from accounts.models import Project
        from search.backend import get_backend

        backend = get_backend()
        first = Project.objects.order_by("pk").values_list("pk", flat=True).first()
        # Not a missing index: it is built on first use, not in a booting worker.
        if first is not None and backend.status().documents:
            for words in WARM_QUERIES:
                backend.search(words, project=first)
    except Exception:
        worker.log.exception("warming the search index failed")


def when_ready(server: Any) -> None:
    threading.Thread(target=_supervise, args=(server,), daemon=True).start()


def on_exit(server: Any) -> None:
    """Stop the children; the task worker finishes its file first (SIGTERM is a
    graceful stop for db_worker), and is killed only after the wait."""
    _children["stopping"] = True
    running = [p for p in _children["processes"].values() if p.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
