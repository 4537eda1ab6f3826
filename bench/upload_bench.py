"""Is the site responsive while uploads ingest? (a script, not a test)

Starts the app as ``make run`` serves it (gunicorn with gunicorn.conf.py, so
the search drainer and the task worker run next to the web workers) on a
throwaway data directory and a free loopback port, signs a curator in, and
times GET requests to the upload page and the document list: first on the
idle server, then while a batch of files (20 by default, posted through the
upload form) ingests through the worker. Prints median and p95 for both, and
how long the batch took. Requests go to 127.0.0.1 only, a bounded number.

    .venv/bin/python bench/upload_bench.py [--files 20] [--paragraphs 600]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = secrets.token_urlsafe(16)
PAGES = ("/documents/upload/", "/documents/")
IDLE_ROUNDS = 30
BUSY_LIMIT_S = 600  # stop measuring (and report) if the batch takes longer
WORDS = (
    "border security cooperation sovereignty trade agreement continental "
    "policy mexico canada united states bilateral trilateral institution "
    "perimeter migration energy defence partnership summit ministers"
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--paragraphs", type=int, default=600)
    args = parser.parse_args()
    keep = os.environ.get("BENCH_KEEP")  # a folder to keep (debugging)
    with tempfile.TemporaryDirectory(prefix="gloss-upload-bench-", dir=keep) as tmp:
        workdir = Path(tmp)
        env = _environment(workdir)
        _prepare(env)
        port = _free_port()
        server = _serve(env, port, workdir / "gunicorn.log")
        try:
            _run(f"http://127.0.0.1:{port}", args)
        finally:
            server.terminate()
            server.wait(60)


def _environment(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GLOSS_DATA_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def _manage(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(  # noqa: S603 - our own command
        [PYTHON, str(REPO / "manage.py"), *args],
        env=env,
        input=stdin,
        text=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _prepare(env: dict[str, str]) -> None:
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    _manage(env, "adduser", "bench", "--role", "curator", stdin=PASSWORD + "\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    server_env = {**env, "GLOSS_BIND": f"127.0.0.1:{port}"}
    command = [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py"]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            command, cwd=REPO, env=server_env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/")  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not start; see {log}")


class Session:
    """A signed-in browser, as far as cookies and the CSRF token go."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handler = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(handler)

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path) as response:
            return response.read()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def sign_in(self) -> None:
        self.get("/accounts/login/")
        fields = {"username": "bench", "password": PASSWORD}
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()})
        request = urllib.request.Request(self.base + "/accounts/login/", data.encode())
        request.add_header("Referer", self.base + "/accounts/login/")
        self.opener.open(request).read()

    def upload(self, files: list[tuple[str, bytes]]) -> None:
        boundary = secrets.token_hex(16)
        body = _multipart(boundary, self.csrf(), files)
        request = urllib.request.Request(self.base + PAGES[0], body)
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        request.add_header("Referer", self.base + PAGES[0])
        self.opener.open(request).read()


def _multipart(boundary: str, token: str, files: list[tuple[str, bytes]]) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
        f"\r\n\r\n{token}\r\n".encode()
    ]
    for name, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{name}"\r\nContent-Type: text/plain\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def _source(index: int, paragraphs: int) -> bytes:
    """A paper-like text: a title, headings, paragraphs of plausible words."""
    rng = random.Random(index)
    lines = [f"Security Cooperation, Paper {index}", ""]
    for n in range(paragraphs):
        if n % 25 == 0:
            lines += [f"{n // 25 + 1}. Section on {rng.choice(WORDS)}", ""]
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 90))]
        lines += [" ".join(words).capitalize() + ".", ""]
    return "\n".join(lines).encode()


def _time(session: Session, path: str) -> float:
    start = time.perf_counter()
    session.get(path)
    return (time.perf_counter() - start) * 1000


def _jobs_left(session: Session) -> int:
    """Jobs still queued or running, as the upload page shows them."""
    page = session.get(PAGES[0]).decode()
    return len(re.findall(r'data-status="(?:queued|running)"', page))


def _run(base: str, args: argparse.Namespace) -> None:
    session = Session(base)
    session.sign_in()
    for path in PAGES:  # warm each web worker's caches a little
        for _ in range(3):
            session.get(path)
    idle = {p: [_time(session, p) for _ in range(IDLE_ROUNDS)] for p in PAGES}
    files = [
        (f"paper-{i:02d}.txt", _source(i, args.paragraphs)) for i in range(args.files)
    ]
    size_mb = sum(len(data) for _, data in files) / 1_048_576
    started = time.perf_counter()
    session.upload(files)
    busy: dict[str, list[float]] = {p: [] for p in PAGES}
    while _jobs_left(session) and time.perf_counter() - started < BUSY_LIMIT_S:
        for path in PAGES:
            busy[path].append(_time(session, path))
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    left = _jobs_left(session)
    print(
        f"batch: {args.files} files, {size_mb:.1f} MB, {args.paragraphs} paragraphs "
        f"each; ingested through the worker in {elapsed:.1f} s"
        + (f" ({left} still unfinished at the limit)" if left else "")
    )
    print(
        f"{'page':<22}{'idle median':>12}{'idle p95':>10}{'busy median':>13}"
        f"{'busy p95':>10}{'busy n':>8}"
    )
    for path in PAGES:
        print(
            f"{path:<22}{_median(idle[path]):>10.1f}ms{_p95(idle[path]):>8.1f}ms"
            f"{_median(busy[path]):>11.1f}ms{_p95(busy[path]):>8.1f}ms"
            f"{len(busy[path]):>8}"
        )


def _median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def _p95(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=20)[-1]


if __name__ == "__main__":
    main()
