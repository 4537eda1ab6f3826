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
def back_to_the_latest():
    """Leave the database fully migrated: the transactional tests that run
    after this one (the browser tests) need every table, the memos' too."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
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
