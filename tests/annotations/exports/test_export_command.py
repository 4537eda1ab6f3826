"""``manage.py export_annotations``: formats, filters, atomic files, errors."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_annotations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_csv_to_stdout(excerpts: list[Annotation]) -> None:
    out, _ = run("--format", "csv")
    assert out.startswith('\ufeff"id"')
    assert out.count("\r\n") >= len(excerpts) + 1


def test_links_start_with_the_configured_site_address(
    excerpts: list[Annotation], settings: Any
) -> None:
    settings.GLOSS_BASE_URL = "https://gloss.example.org/team/"
    out, _ = run("--format", "jsonl")
    links = [json.loads(line)["link"] for line in out.splitlines()]
    assert len(links) == len(excerpts)
    assert all(
        link.startswith("https://gloss.example.org/team/documents/") for link in links
    ), links


def test_filters_narrow_the_excerpts(excerpts: list[Annotation], people: Any) -> None:
    out, _ = run("--format", "jsonl", "--user", "ben")
    records = [json.loads(line) for line in out.splitlines()]
    assert records and {r["annotator"] for r in records} == {"ben"}
    out, _ = run("--format", "jsonl", "--theme", "distrust", "--since", "2000-01-01")
    assert len(out.splitlines()) == len(excerpts) // 2
    out, _ = run("--format", "jsonl", "--until", "2000-01-01")
    assert out == ""


def test_binary_formats_write_a_file(
    excerpts: list[Annotation], tmp_path: Path
) -> None:
    target = tmp_path / "project.qdpx"
    _, err = run("--format", "qdpx", "--output", str(target))
    assert f"Wrote {len(excerpts)} excerpts to {target}" in err
    assert "project.qde" in zipfile.ZipFile(target).namelist()
    assert [p.name for p in tmp_path.iterdir()] == ["project.qdpx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # binary output needs a file
        (["--format", "docx"], "give --output"),
        # unknown names are reported, not ignored
        (["--format", "csv", "--theme", "nope"], "No theme named 'nope'"),
        (["--format", "csv", "--user", "nobody"], "No user named 'nobody'"),
        (["--format", "csv", "--document", "x.txt"], "No document named 'x.txt'"),
        (["--format", "csv", "--since", "yesterday"], "is not a date"),
        # a folder that does not exist
        (["--format", "csv", "--output", "/nonexistent/x.csv"], "does not exist"),
    ],
)
def test_errors_are_clear(db: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
