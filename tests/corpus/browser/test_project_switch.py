"""A person in two projects always sees which one they are in, switches with
the header's project menu, and sees each project's documents only."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.roles import Role
from tests.factories import (
    DocumentFactory,
    ProjectFactory,
    UserFactory,
    first_project,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_switching_project_shows_that_projects_documents_only(
    page_as: Any, live_server: Any
) -> None:
    first_project()  # before the other (a flush may have emptied the table)
    other = ProjectFactory(name="Border study", slug="border")
    DocumentFactory(slug="arctic", title="Arctic sovereignty papers")
    DocumentFactory(project=other, slug="mexico", title="Mérida Initiative papers")
    person = UserFactory(username="pia", role=Role.VIEWER)
    account_services.membership_set(user=person, project=other, role=Role.ANNOTATOR)

    page = page_as(person)
    page.goto(f"{live_server.url}/documents/")
    switcher = page.locator(".project-switcher summary")
    expect(switcher).to_contain_text("Main project")
    documents = page.locator("main")
    expect(documents).to_contain_text("Arctic sovereignty papers")
    expect(documents).not_to_contain_text("Mérida Initiative papers")

    switcher.click()
    page.get_by_role("button", name="Border study").click()

    page.wait_for_url(f"{live_server.url}/documents/")
    expect(page.locator(".project-switcher summary")).to_contain_text("Border study")
    expect(documents).to_contain_text("Mérida Initiative papers")
    expect(documents).not_to_contain_text("Arctic sovereignty papers")
    expect(page.locator(".role-badge")).to_have_text("Annotator")  # the role there
    page.screenshot(path="/tmp/project_switch.png")

    # The other project's document is not there, by its address either.
    response = page.goto(f"{live_server.url}/documents/arctic/")
    assert response is not None and response.status == 404


def test_the_project_menu_works_by_keyboard(page_as: Any, live_server: Any) -> None:
    first_project()
    other = ProjectFactory(name="Border study", slug="border")
    DocumentFactory(project=other, slug="mexico", title="Mérida Initiative papers")
    person = UserFactory(username="kai", role=Role.VIEWER)
    account_services.membership_set(user=person, project=other, role=Role.VIEWER)

    page = page_as(person)
    page.goto(f"{live_server.url}/documents/")
    page.locator(".project-switcher summary").focus()
    page.keyboard.press("Enter")  # opens the menu
    page.keyboard.press("Tab")  # the current project is text, not a control
    expect(page.get_by_role("button", name="Border study")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/documents/")
    expect(page.locator("main")).to_contain_text("Mérida Initiative papers")
