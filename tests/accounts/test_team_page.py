"""The team page (project admins, within the current project only), the
projects page (site admins) and the header's account links."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.models import Membership, Project
from accounts.roles import Role

User = get_user_model()
TEAM = "/accounts/team/"


def page(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def state() -> tuple[list[tuple[int, int, int]], int, int]:
    """Every membership, account and project: what a refusal must not change."""
    rows = list(
        Membership.objects.order_by("pk").values_list("project", "user", "role")
    )
    return rows, User.objects.count(), Project.objects.count()


def member(user) -> Membership:
    return Membership.objects.get(user=user)


# --- who may open it ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("viewer", 403),
        ("annotator", 403),
        ("curator", 403),
        ("nobody", 403),  # signed in, in no project
        ("admin", 200),
        ("site_admin", 200),  # admin of every project
    ],
)
def test_only_project_admins_open_the_team_page(people, signed_in, who, status):
    html = page(signed_in(people.by_role()[who]).get(TEAM), status)
    if status == 200:
        assert "vera" in html and "cleo" in html and "Create a new account" in html
        assert "otto" not in html  # another project's admin
    else:
        assert "Not allowed" in html


def test_the_team_page_shows_the_current_projects_members_only(people, signed_in):
    html = page(signed_in(people.other_admin).get(TEAM))
    assert "Team of Other study" in html and "olga" in html
    assert "vera" not in html and "adam" not in html


POSTS = [
    ("/accounts/team/add/", {"who": "nora", "role": "4"}),
    ("/accounts/team/new/", {"username": "newbie", "role": "4"}),
    ("/accounts/team/{vera}/role/", {"role": "4"}),
    ("/accounts/team/{adam}/remove/", {}),
]


@pytest.mark.parametrize(("url", "data"), POSTS)
@pytest.mark.parametrize("who", ["viewer", "annotator", "curator", "nobody"])
def test_non_admins_change_nothing(people, signed_in, who, url, data):
    before = state()
    url = url.format(vera=member(people.viewer).pk, adam=member(people.admin).pk)
    response = signed_in(people.by_role()[who]).post(url, data)
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/team/{vera}/role/", {"role": "4"}),
        ("/accounts/team/{vera}/remove/", {}),
    ],
)
def test_another_projects_members_are_404_to_an_admin(people, signed_in, url, data):
    """Otto administers Other study only: Vera (first project) is out of reach."""
    before = state()
    response = signed_in(people.other_admin).post(
        url.format(vera=member(people.viewer).pk), data
    )
    assert response.status_code == 404
    assert state() == before


def test_the_team_pages_take_a_post(people, signed_in):
    client = signed_in(people.admin)
    assert client.get("/accounts/team/add/").status_code == 405
    assert (
        client.get(f"/accounts/team/{member(people.viewer).pk}/remove/").status_code
        == 405
    )


# --- adding and creating ------------------------------------------------------------


def test_an_admin_adds_an_existing_account_by_email(people, signed_in):
    response = signed_in(people.admin).post(
        "/accounts/team/add/", {"who": "nora@example.org", "role": "2"}, follow=True
    )
    assert "Added nora" in page(response)
    assert member(people.nobody).role == Role.ANNOTATOR
    assert member(people.nobody).project == people.project


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"who": "nobody-here", "role": "2"}, "No account is called nobody-here"),
        ({"who": "vera", "role": "4"}, "already a member"),  # never a role change
        ({"who": "nora", "role": "9"}, "Select a valid choice"),  # no such role
        ({"who": "", "role": "2"}, "This field is required"),
    ],
)
def test_adding_refuses_bad_input_and_changes_nothing(people, signed_in, data, message):
    before = state()
    response = signed_in(people.admin).post("/accounts/team/add/", data)
    assert message in page(response, 400)
    assert state() == before


def test_an_admin_creates_an_account_and_gets_its_link_once(people, signed_in):
    client = signed_in(people.admin)
    response = client.post(
        "/accounts/team/new/",
        {"username": "nadia", "name": "Nadia Ali", "email": "", "role": "3"},
    )
    html = page(response)
    assert "nadia has an account now" in html and "Copy it now" in html
    assert "3 days" in html  # PASSWORD_RESET_TIMEOUT's default
    link = html.split('id="invite-link">')[1].split("<")[0]
    assert link.startswith("http://testserver/accounts/welcome/")
    nadia = User.objects.get(username="nadia")
    assert member(nadia).role == Role.CURATOR and not nadia.has_usable_password()
    assert link not in page(client.get(TEAM))  # shown once
    assert mail.outbox == []  # no mail set up (the tests' default)


def test_with_mail_set_up_the_link_is_also_emailed(
    people, signed_in, settings, django_capture_on_commit_callbacks
):
    settings.GLOSS_SEND_INVITES = True
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(people.admin).post(
            "/accounts/team/new/",
            {"username": "nadia", "email": "nadia@example.org", "role": "1"},
        )
    html = page(response)
    link = html.split('id="invite-link">')[1].split("<")[0]
    assert "also emailed to nadia@example.org" in html
    assert [m.to for m in mail.outbox] == [["nadia@example.org"]]
    assert link in mail.outbox[0].body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "VERA", "role": "1"}, "The user name VERA is taken"),
        ({"username": "a b", "role": "1"}, "Enter a valid username"),
        ({"username": "new", "email": "nope", "role": "1"}, "Enter a valid email"),
        ({"username": "new", "role": ""}, "This field is required"),
    ],
)
def test_creating_refuses_bad_input_and_creates_nothing(
    people, signed_in, data, message
):
    before = state()
    response = signed_in(people.admin).post("/accounts/team/new/", data)
    assert message in page(response, 400)
    assert state() == before


# --- roles and removal -------------------------------------------------------------


def test_an_admin_changes_a_role(people, signed_in):
    response = signed_in(people.admin).post(
        f"/accounts/team/{member(people.viewer).pk}/role/", {"role": "3"}, follow=True
    )
    assert "vera is Curator" in page(response)
    assert member(people.viewer).role == Role.CURATOR


def test_a_bad_role_is_refused(people, signed_in):
    before = state()
    response = signed_in(people.admin).post(
        f"/accounts/team/{member(people.viewer).pk}/role/", {"role": "admin"}
    )
    assert "Choose one of the roles" in page(response, 400)
    assert state() == before


def test_the_last_admin_can_be_neither_demoted_nor_removed(people, signed_in):
    client = signed_in(people.admin)
    mine = member(people.admin).pk
    before = state()
    demoted = client.post(f"/accounts/team/{mine}/role/", {"role": "3"})
    assert "A project needs an admin" in page(demoted, 400)
    removed = client.post(f"/accounts/team/{mine}/remove/")
    assert "A project needs an admin" in page(removed, 400)
    assert state() == before


def test_an_admin_removes_a_member(people, signed_in):
    response = signed_in(people.admin).post(
        f"/accounts/team/{member(people.curator).pk}/remove/", follow=True
    )
    assert "cleo is no longer in" in page(response)
    assert not Membership.objects.filter(user=people.curator).exists()


def test_an_admin_who_steps_down_lands_on_a_page_they_may_open(people, signed_in):
    second = member(people.curator)
    second.role = Role.ADMIN
    second.save()
    client = signed_in(people.admin)
    response = client.post(
        f"/accounts/team/{member(people.admin).pk}/role/", {"role": "2"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert member(people.admin).role == Role.ANNOTATOR
    assert client.get(TEAM).status_code == 403


# --- projects ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer", "annotator", "curator", "admin", "nobody"])
def test_only_site_admins_open_the_projects_page(people, signed_in, who):
    client = signed_in(people.by_role()[who])
    before = state()
    assert client.get("/accounts/projects/").status_code == 403
    assert client.post("/accounts/projects/", {"name": "Mine"}).status_code == 403
    assert state() == before


def test_a_site_admin_lists_and_creates_projects(people, signed_in):
    client = signed_in(people.site_admin)
    html = page(client.get("/accounts/projects/"))
    assert people.project.name in html and "Other study" in html
    response = client.post("/accounts/projects/", {"name": "Arctic study"}, follow=True)
    html = page(response)
    assert "Created Arctic study" in html and "Team of Arctic study" in html
    project = Project.objects.get(name="Arctic study")
    assert project.slug == "arctic-study"
    assert member(people.site_admin).project == project
    assert member(people.site_admin).role == Role.ADMIN


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required"), ("other STUDY", "already exists")],
)
def test_a_bad_project_name_is_refused(people, signed_in, name, message):
    before = state()
    response = signed_in(people.site_admin).post("/accounts/projects/", {"name": name})
    assert message in page(response, 400)
    assert state() == before


# --- the header's links -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "team", "projects", "django_admin"),
    [
        ("viewer", False, False, False),
        ("curator", False, False, False),
        # A project admin manages the team, not the site: the Django admin
        # would only answer "not authorized", so the header does not offer it.
        ("admin", True, False, False),
        ("site_admin", True, True, True),
    ],
)
def test_the_header_links_follow_the_role(
    people, signed_in, who, team, projects, django_admin
):
    client = signed_in(people.by_role()[who])
    html = page(client.get("/"))
    account = html.split('<div class="account">')[1].split("</div>")[0]
    assert 'href="/accounts/settings/"' in account
    assert ('href="/accounts/team/"' in account) is team
    assert ('href="/accounts/projects/"' in account) is projects
    assert ('href="/admin/"' in html) is django_admin
    # The link is offered exactly to those the admin site lets in.
    assert (client.get("/admin/").status_code == 200) is django_admin
