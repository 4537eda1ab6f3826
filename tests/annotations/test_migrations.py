"""The token-expiry migration gives tokens made before it an expiry too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("annotations", "0004_curation_verbs")]
AFTER = [("annotations", "0005_apitoken_expires")]


@pytest.fixture
def latest_schema_after():
    """Migrate back to the latest schema afterwards: later tests (the browser
    tests' live server) share this database."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_existing_tokens_expire_their_lifetime_after_they_were_made(settings):
    settings.GLOSS_API_TOKEN_DAYS = 10
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="old")
    made = timezone.now() - timedelta(days=3)
    token = old.get_model("annotations", "ApiToken").objects.create(
        user=user, key_hash="0" * 64, hint="gloss_abcd"
    )
    old.get_model("annotations", "ApiToken").objects.filter(pk=token.pk).update(
        created=made
    )
    executor = MigrationExecutor(connection)  # reload the graph after migrating
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    expires = new.get_model("annotations", "ApiToken").objects.get().expires
    assert expires == made + timedelta(days=10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_existing_annotations_get_the_origin_that_can_be_known():
    """Imported (an import id) -> import; no log entry of its own and an author
    who bulk-tagged in the project -> bulk; anything else -> manual."""
    before, after = [("annotations", "0009_versions")], [("annotations", "0010_rounds")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    project = old.get_model("accounts", "Project").objects.create(
        name="Old study", slug="old-study"
    )
    users = old.get_model("auth", "User").objects
    bulker, reader = users.create(username="bulker"), users.create(username="reader")
    document = old.get_model("corpus", "Document").objects.create(
        project=project, source_name="a.txt", slug="a", iri="urn:a", content_hash="0"
    )
    paragraph = old.get_model("corpus", "Paragraph").objects.create(
        document=document, position=0, text="Some text here."
    )
    Annotation = old.get_model("annotations", "Annotation")
    Activity = old.get_model("annotations", "Activity")

    def made(author, **fields):
        return Annotation.objects.create(
            document=document,
            paragraph=paragraph,
            start=0,
            end=4,
            quote="Some",
            author=author,
            **fields,
        ).pk

    imported = made(reader, source_id="urn:uuid:1")
    bulk = made(bulker)
    by_hand = made(reader)
    logged = made(bulker)  # the bulker also tagged one by hand
    Activity.objects.create(
        project=project, actor=bulker, verb="bulk-tagged", summary="s"
    )
    for pk, author in ((by_hand, reader), (logged, bulker)):
        Activity.objects.create(
            project=project,
            actor=author,
            verb="annotated",
            summary="s",
            annotation_id=pk,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    origins = dict(
        new.get_model("annotations", "Annotation").objects.values_list("pk", "origin")
    )
    assert origins == {
        imported: "import",
        bulk: "bulk",
        by_hand: "manual",
        logged: "manual",
    }
