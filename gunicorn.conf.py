"""gunicorn settings for ``make run``: loopback only, a few sync workers, and
the search index's single drainer.

Override with GLOSS_BIND (e.g. 0.0.0.0:8000 behind a proxy) and WEB_CONCURRENCY.

Search consistency: workers never open an index writer. They queue changes in
the outbox (same transaction as the change); one drainer process, started and
kept alive by the gunicorn master, applies them with one writer and one commit
per batch. A search waits for the changes queued before it, so a person finds
their own edit in their next search.
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
_drainer: dict[str, Any] = {"process": None, "stopping": False}


def _start_drainer(server: Any) -> subprocess.Popen[bytes]:
    command = [sys.executable, MANAGE, "search_index", "drain", "--follow"]
    process = subprocess.Popen(command)  # noqa: S603 - our own command
    server.log.info("search drainer started (pid %s)", process.pid)
    return process


def _supervise(server: Any) -> None:
    """Keep exactly one drainer alive: restart it if it dies."""
    while not _drainer["stopping"]:
        process = _drainer["process"]
        if process is None or process.poll() is not None:
            if process is not None:
                server.log.warning("search drainer exited (%s)", process.returncode)
            _drainer["process"] = _start_drainer(server)
        time.sleep(RESTART_DELAY)


def when_ready(server: Any) -> None:
    threading.Thread(target=_supervise, args=(server,), daemon=True).start()


def on_exit(server: Any) -> None:
    _drainer["stopping"] = True
    process = _drainer["process"]
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
