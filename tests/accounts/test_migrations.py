"""An installation from before projects becomes its first project, losing nothing.

The schema is migrated back to where it stood before accounts existed
(corpus 0004, annotations 0007), filled the old way (role groups, tokens in
annotations), and migrated forward again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts import roles
from accounts.models import ApiToken, Membership, Project
from annotations.models import Activity, Annotation, Memo, Theme
from corpus.models import Document

BEFORE_PROJECTS = [("accounts", None)]  # and so corpus 0005, annotations 0008
EXPIRES = datetime(2027, 1, 1, tzinfo=UTC)
OLD_STATE = [("corpus", "0004_ingest_jobs"), ("annotations", "0007_theme_position")]


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    """Migrate forward again afterwards: later tests share this database."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def before_projects() -> Any:
    """Migrate back before projects; the historical apps of that schema."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_PROJECTS)
    executor = MigrationExecutor(connection)  # reload the graph after migrating
    assert not any(app == "accounts" for app, _ in executor.loader.applied_migrations)
    return executor.loader.project_state(OLD_STATE).apps


def to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def fill_the_old_way(old: Any) -> dict[str, Any]:
    """One of everything, as the schema before projects stored it."""
    OldUser = old.get_model("auth", "User")
    OldGroup = old.get_model("auth", "Group")
    groups = {
        name: OldGroup.objects.get_or_create(name=name)[0]
        for name in ("Viewer", "Annotator", "Curator", "Admin")
    }
    OldUser.objects.create(username="root", is_superuser=True, is_staff=True)
    curator = OldUser.objects.create(username="cora")
    curator.groups.add(groups["Viewer"], groups["Curator"])  # the highest counts
    annotator = OldUser.objects.create(username="ann")
    annotator.groups.add(groups["Annotator"])
    OldUser.objects.create(username="nobody")  # no role: no membership

    document = old.get_model("corpus", "Document").objects.create(
        source_name="paper.md",
        slug="paper",
        iri="urn:gloss:doc:paper",
        content_hash="a" * 64,
        title="A paper",
    )
    paragraph = old.get_model("corpus", "Paragraph").objects.create(
        document=document,
        position=0,
        kind="body",
        text="Security cooperation.",
    )
    theme = old.get_model("annotations", "Theme").objects.create(
        name="Migrated theme", slug="migrated-theme"
    )
    annotation = old.get_model("annotations", "Annotation").objects.create(
        document=document,
        paragraph=paragraph,
        start=0,
        end=8,
        quote="Security",
        author=annotator,
    )
    old.get_model("annotations", "TaggedAnnotation").objects.create(
        content_object=annotation, tag=theme
    )
    old.get_model("annotations", "Memo").objects.create(
        author=curator, text="Note to self."
    )
    old.get_model("annotations", "Activity").objects.create(
        actor=annotator, verb="annotated", summary="tagged a passage"
    )
    old.get_model("annotations", "ApiToken").objects.create(
        user=curator, key_hash="b" * 64, hint="gloss_abcd", expires=EXPIRES
    )
    return {"annotation": annotation.pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_everything_from_before_projects_lands_in_the_first_project() -> None:
    made = fill_the_old_way(before_projects())

    to_latest()

    project = Project.objects.get()
    for model in (Document, Theme, Memo, Activity):
        assert model.objects.exists()
        assert set(model.objects.values_list("project", flat=True)) == {project.pk}
    annotation = Annotation.objects.get(pk=made["annotation"])
    assert [t.name for t in annotation.themes.all()] == ["Migrated theme"]
    assert annotation.document.project == project

    roles_now = dict(
        Membership.objects.filter(project=project).values_list("user__username", "role")
    )
    assert roles_now == {
        "root": roles.Role.ADMIN,
        "cora": roles.Role.CURATOR,
        "ann": roles.Role.ANNOTATOR,
    }
    token = ApiToken.objects.get()
    assert (token.user.username, token.project, token.key_hash) == (
        "cora",
        project,
        "b" * 64,
    )
    assert token.expires == EXPIRES
    assert not Group.objects.filter(
        name__in=["Viewer", "Annotator", "Curator", "Admin"]
    ).exists()
    assert roles.can_curate(User.objects.get(username="cora"), project)
    assert not roles.can_read(User.objects.get(username="nobody"), project)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_going_back_before_projects_restores_role_groups_and_tokens() -> None:
    fill_the_old_way(before_projects())
    to_latest()

    old = before_projects()

    OldUser = old.get_model("auth", "User")
    assert sorted(
        OldUser.objects.get(username="cora").groups.values_list("name", flat=True)
    ) == ["Curator"]
    assert list(
        OldUser.objects.get(username="root").groups.values_list("name", flat=True)
    ) == ["Admin"]
    token = old.get_model("annotations", "ApiToken").objects.get()
    assert (token.user.username, token.key_hash, token.expires) == (
        "cora",
        "b" * 64,
        EXPIRES,
    )
    assert old.get_model("corpus", "Document").objects.get().title == "A paper"
