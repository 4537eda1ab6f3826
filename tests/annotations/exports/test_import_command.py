"""``manage.py import_annotations``: report lines, dry run, errors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation
from tests.factories import UserFactory


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_annotations", *args, stdout=out)
    return out.getvalue()


def test_dry_run_then_import(
    excerpts: list[Annotation], people: Any, tmp_path: Path
) -> None:
    UserFactory(username="root", is_superuser=True)
    target = tmp_path / "all.jsonld"
    call_command(
        "export_annotations",
        "--format",
        "w3c",
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    Annotation.objects.all().delete()
    out = run(str(target), "--dry-run")
    assert out.startswith(f"W3C annotations: would import {len(excerpts)} annotations")
    assert Annotation.objects.count() == 0
    out = run(str(target), "--as-user", "ana")
    assert out.startswith(f"W3C annotations: imported {len(excerpts)} annotations")
    assert Annotation.objects.count() == len(excerpts)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"{", [], "not JSON"),  # a broken file
        (b"[]", ["--as-user", "nobody"], "No user named 'nobody'"),  # unknown user
    ],
)
def test_errors(
    db: None, tmp_path: Path, content: bytes, args: list[str], message: str
) -> None:
    UserFactory(username="root", is_superuser=True)
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path), *args)


def test_missing_file(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "absent.json"))
