"""A bounded schema-based fuzzer (schemathesis) against the served API.

The description is read from /api/openapi.json through the WSGI application,
and every generated request (valid and invalid, as the description defines
them) goes through that application with a curator's bearer token, so the
authenticated operations are reached. Each answer must not be a server error
and must conform to the description: a documented status code, the documented
content type, a body matching the documented schema.

Bounded: MAX_EXAMPLES examples per operation, deterministic, no shrinking
database, so a run takes well under two minutes; the summary (operations,
examples, failures) is printed at the end of the run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from accounts import services as account_services
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "mode": "all",  # schema-valid and schema-violating requests
            "deterministic": True,
            "database": "none",
        },
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            }
        },
    }
)
# What every answer must satisfy: no 5xx, conformance to the description, and
# both directions of validation: a schema-violating request is refused, and a
# schema-valid one is not refused as malformed (400). A schema-valid request
# may still be refused by the data with a 422: it names a paragraph, theme or
# user that does not exist, or a span past the paragraph's end, which the
# description cannot know (config/api.py).
CHECKED = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.negative_data_rejection,
    openapi_checks.positive_data_acceptance,
    openapi_checks.unsupported_method,
    openapi_checks.allow_header_conformance,
]
SUMMARY: Counter[str] = Counter()
OPERATIONS: set[str] = set()


# Read once, when the module is collected, from the application as served.
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", get_wsgi_application(), config=CONFIG
)


@pytest.fixture(autouse=True)
def same_transaction() -> Iterator[None]:
    """The WSGI application shares the test's database transaction. (Like
    Django's test client, do not close the connection per request: that would
    end the test's transaction.)"""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(people: Any, paragraphs: Any, themes: Any) -> str:
    """A curator's token (every operation allowed), with annotations to find."""
    for paragraph in paragraphs:
        AnnotationFactory(paragraph=paragraph, themes=[themes["distrust"]])
    return account_services.api_token_create(user=people.curator)


# The token fixture is set up once per operation, not per example, on purpose:
# the examples of one operation then meet a database that grows as a real
# server's does (created annotations, deleted ones).
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_server_error_and_answers_match_the_description(
    case: Any, token: str
) -> None:
    OPERATIONS.add(case.operation.label)
    SUMMARY["examples"] += 1
    try:
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=CHECKED
        )
    except BaseException:  # schemathesis raises an exception group
        SUMMARY["failures"] += 1
        raise
    SUMMARY[f"{response.status_code // 100}xx"] += 1


def test_fuzzer_summary(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reports what the fuzzer did (it runs after the fuzzer: same module,
    later), and that it reached every operation with an accepted token."""
    if not SUMMARY["examples"]:
        pytest.skip("the fuzzer did not run in this session")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    with capsys.disabled():
        reporter.write_line(
            f"\nAPI fuzzer: {len(OPERATIONS)} operations, {SUMMARY['examples']} "
            f"examples, {SUMMARY['failures']} failing examples (at most "
            f"{MAX_EXAMPLES} examples per operation and mode); answers: "
            + ", ".join(f"{SUMMARY[k]} {k}" for k in ("2xx", "4xx", "5xx"))
        )
    assert len(OPERATIONS) == sum(1 for _ in schema.get_all_operations())
    assert SUMMARY["2xx"] > 0  # the token got through: operations were reached
