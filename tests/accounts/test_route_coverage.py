"""Every route of the app is in the permission tests.

The role matrix (``tests/annotations/test_permissions.py``) and the project
isolation probes (``tests/accounts/test_project_isolation.py``) each list
requests by hand. This test replays those lists against a recorder instead
of the app, resolves every path it sends, and compares the routes reached
with every route in the URLconf: a page or endpoint added without a place in
either list fails here, so "every page and API endpoint" stays true. The few
routes whose permissions are tested elsewhere are named with that place.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.accounts import test_project_isolation as isolation
from tests.annotations import test_permissions as matrix

# Routes whose role and project checks live in a test of their own.
TEAM, SETTINGS = (
    "tests/accounts/test_team_page.py",
    "tests/accounts/test_settings_page.py",
)
TESTED_ELSEWHERE = {
    "accounts/login/": "tests/accounts/test_throttling.py (public, throttled)",
    "accounts/logout/": "tests/accounts/browser/test_team.py (signs out and in)",
    "accounts/welcome/<uidb64>/<token>/": "tests/accounts/test_welcome.py",
    "accounts/projects/": f"{TEAM} (site admins only, every role refused)",
    "accounts/team/add/": f"{TEAM} (admins only; another project's people 404)",
    "accounts/team/new/": TEAM,
    "accounts/team/<int:member_id>/role/": TEAM,
    "accounts/team/<int:member_id>/remove/": TEAM,
    "accounts/settings/password/": f"{SETTINGS} (one's own account only)",
    "accounts/settings/tokens/": f"{SETTINGS} (only for one's own projects)",
    "accounts/settings/tokens/<int:token_id>/revoke/": f"{SETTINGS} (another's: 404)",
    "api/openapi.json": "tests/annotations/test_permissions.py (public)",
}
# Not the app's own: the Django admin (site admins only, tested in the
# matrix), static files, the favicon and the API's catch-all 404s.
NOT_APP_ROUTES = ("admin/", "static/", "favicon.ico", "api/<path:rest>")
API_ROOT = "api/"  # the same JSON 404 as the catch-all


class Recorder:
    """Stands in for the test client: keeps (method, path) and answers nothing."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def _send(self, method: str, url: str, *args: Any, **kwargs: Any) -> None:
        self.sent.append((method.upper(), urlsplit(url).path))

    def __getattr__(self, method: str) -> Any:
        if method not in {"get", "post", "put", "patch", "delete"}:
            raise AttributeError(method)
        return lambda url, *args, **kwargs: self._send(method, url)


class AnyRow(dict):
    """The matrix's context, with one stand-in row for every name."""

    def __init__(self, row: Any, **given: Any) -> None:
        super().__init__(given)
        self.row = row

    def __missing__(self, name: str) -> Any:
        return self.row


def _routes(patterns: list, prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


def app_routes() -> set[str]:
    return {
        route.lstrip("^").rstrip("$")
        for route in _routes(get_resolver().url_patterns)
        if not route.startswith(NOT_APP_ROUTES) and route != API_ROOT
    }


def _sent_by_the_permission_tests() -> list[tuple[str, str]]:
    recorder = Recorder()
    thing = SimpleNamespace(pk=1, version=1)
    # Any other row an action names (a hidden record, a round, an activity
    # entry...) is the same stand-in: only the paths matter here.
    ctx = AnyRow(thing, paragraphs=[thing] * 3)
    for _name, _needs, action in matrix.ACTIONS:
        action(recorder, ctx)
    for url in matrix.READ_PAGES:
        recorder.get(url)
    for _name, kind, probe in isolation.PROBES:
        probe(isolation.MADE_UP[kind])(recorder)
    for url, _least in isolation.LISTINGS:
        recorder.get(url)
    return recorder.sent


def reached_routes() -> set[str]:
    return {resolve(path).route for _method, path in _sent_by_the_permission_tests()}


def test_every_route_is_in_the_permission_tests() -> None:
    missing = app_routes() - reached_routes() - set(TESTED_ELSEWHERE)
    assert not missing, f"routes no permission test reaches: {sorted(missing)}"


def test_the_routes_said_to_be_tested_elsewhere_exist() -> None:
    assert set(TESTED_ELSEWHERE) <= app_routes()


def test_the_recorder_sees_a_route_missing_from_the_lists() -> None:
    assert "codebook/<slug:slug>/" in reached_routes()
    assert "codebook/<slug:slug>/" in app_routes()
