"""The import page: curators preview then confirm; others are refused; bad
or oversized files give a message, never a 500."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings

from accounts.roles import Role
from annotations import import_views
from annotations.exports import FORMATS
from annotations.exports.selection import ExportFilters, export_rows
from annotations.models import Annotation
from tests.factories import UserFactory, first_project

URL = "/import/"


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def w3c_export() -> bytes:
    out = io.StringIO()
    FORMATS["w3c"].module.write(
        export_rows(ExportFilters(project=first_project())), out
    )
    return out.getvalue().encode()


def test_preview_then_confirm(
    signed_in: Any, people: Any, excerpts: list[Annotation]
) -> None:
    data = w3c_export()
    Annotation.objects.all().delete()
    client = signed_in(people.curator)
    upload = SimpleUploadedFile("all.jsonld", data, "application/ld+json")
    response = client.post(URL, {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"would import {len(excerpts)} annotations" in body
    assert Annotation.objects.count() == 0
    token = response.context["token"]
    response = client.post(URL, {"token": token, "name": "all.jsonld"})
    assert f"imported {len(excerpts)} annotations" in response.content.decode()
    assert Annotation.objects.count() == len(excerpts)
    gone = client.post(URL, {"token": token, "name": "all.jsonld"})
    assert gone.status_code == 400


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.json", b"{oops", "not JSON"),  # broken JSON
        ("x.qdpx", b"nope", "must be a zip"),  # not an archive
    ],
)
def test_bad_files_are_400(
    signed_in: Any, people: Any, name: str, data: bytes, message: str
) -> None:
    response = signed_in(people.curator).post(
        URL, {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_size_limit(
    signed_in: Any, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 10)
    upload = SimpleUploadedFile("x.json", b"[" + b" " * 20 + b"]")
    response = signed_in(people.curator).post(URL, {"file": upload})
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


def test_viewers_and_annotators_cannot_import(signed_in: Any, people: Any) -> None:
    for person in (people.viewer, people.annotator):
        assert signed_in(person).get(URL).status_code == 403
        upload = SimpleUploadedFile("x.json", b"[]")
        assert signed_in(person).post(URL, {"file": upload}).status_code == 403
    assert signed_in(people.viewer).get("/export/").status_code == 200


def test_a_preview_belongs_to_its_uploader(
    signed_in: Any, people: Any, excerpts: list[Annotation]
) -> None:
    data = w3c_export()
    Annotation.objects.all().delete()
    upload = SimpleUploadedFile("all.jsonld", data, "application/ld+json")
    token = signed_in(people.curator).post(URL, {"file": upload}).context["token"]
    other = UserFactory(role=Role.CURATOR)
    response = signed_in(other).post(URL, {"token": token, "name": "all.jsonld"})
    assert response.status_code == 400 and "upload the file again" in (
        response.content.decode()
    )
    assert Annotation.objects.count() == 0


def test_unconfirmed_previews_are_swept(
    signed_in: Any, people: Any, settings: Any, excerpts: list[Annotation]
) -> None:
    client = signed_in(people.curator)
    for name in ("a.jsonld", "b.jsonld"):
        upload = SimpleUploadedFile(name, w3c_export(), "application/ld+json")
        client.post(URL, {"file": upload})
    folder = Path(settings.MEDIA_ROOT) / "imports" / str(people.curator.pk)
    assert len(list(folder.iterdir())) == 1  # a new preview replaces the last
    old = time.time() - import_views.PREVIEW_TTL.total_seconds() - 60
    for path in folder.iterdir():
        os.utime(path, (old, old))
    assert import_views.sweep_previews() == 1
    assert list(folder.iterdir()) == []


def test_nothing_to_import_offers_no_confirm(
    signed_in: Any, people: Any, excerpts: list[Annotation]
) -> None:
    data = w3c_export()  # every annotation is here already
    upload = SimpleUploadedFile("all.jsonld", data, "application/ld+json")
    body = signed_in(people.curator).post(URL, {"file": upload}).content.decode()
    assert "would import 0 annotations" in body
    assert "Confirm import" not in body and "Nothing to import" in body
