"""accounts.services: adding and inviting members, roles, the last-admin
guard, projects and API tokens. Each refusal is a ValidationError with a
message for people, and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import ApiToken, Membership, Project
from accounts.roles import Role, role_of
from accounts.tokens import user_of_link
from tests.factories import ProjectFactory, UserFactory, first_project

User = get_user_model()
SITE = "https://gloss.example.org/"


def link_parts(link: str) -> tuple[str, str]:
    """``…/accounts/welcome/<uid>/<token>/`` -> (uid, token)."""
    *_, uid, token, _ = link.split("/")
    return uid, token


# --- member_add ---------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "nora",  # the user name
        "NORA",  # any case
        "nora@example.org",  # the email
        " Nora@Example.org ",  # any case, spaces around
    ],
)
def test_member_add_finds_an_account_by_name_or_email(db, who):
    nora = UserFactory(username="nora", email="nora@example.org")
    project = first_project()
    membership = services.member_add(project=project, who=who, role=Role.CURATOR)
    assert membership.user == nora and membership.role == Role.CURATOR
    assert role_of(nora, project) == Role.CURATOR


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("", "Give a user name"),  # nothing typed
        ("nobody-here", "No account is called nobody-here"),  # unknown
        ("shared@example.org", "Several accounts have the address"),  # ambiguous
        ("gone", "No account is called gone"),  # inactive accounts are not offered
    ],
)
def test_member_add_refuses_what_it_cannot_find(db, who, message):
    UserFactory(username="s1", email="shared@example.org")
    UserFactory(username="s2", email="shared@example.org")
    UserFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError) as caught:
        services.member_add(project=first_project(), who=who, role=Role.VIEWER)
    assert message in caught.value.message_dict["who"][0]
    assert not Membership.objects.exists()


def test_member_add_never_changes_an_existing_members_role(db):
    admin = UserFactory(username="adam", role=Role.ADMIN)
    with pytest.raises(ValidationError, match="already a member"):
        services.member_add(project=first_project(), who="adam", role=Role.VIEWER)
    assert Membership.objects.get(user=admin).role == Role.ADMIN


def test_member_add_in_one_project_leaves_the_others_alone(db):
    nora = UserFactory(username="nora")
    other = ProjectFactory()
    services.member_add(project=other, who="nora", role=Role.VIEWER)
    assert role_of(nora, other) == Role.VIEWER
    assert role_of(nora, first_project()) is None


# --- member_invite --------------------------------------------------------------


def test_member_invite_makes_an_account_without_password_and_a_link(db):
    project = first_project()
    user, link = services.member_invite(
        project=project,
        username="nadia",
        role=Role.ANNOTATOR,
        site_url=SITE,
        name="Nadia  Ben Ali",
        email="nadia@example.org",
    )
    assert (user.first_name, user.last_name) == ("Nadia", "Ben Ali")
    assert user.email == "nadia@example.org"
    assert not user.has_usable_password()  # chosen through the link
    assert role_of(user, project) == Role.ANNOTATOR
    assert link.startswith("https://gloss.example.org/accounts/welcome/")
    assert user_of_link(*link_parts(link)) == user


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": ""}, "username", "Give the new account a user name"),
        ({"username": "ANA"}, "username", "The user name ANA is taken"),  # any case
        ({"username": "a b"}, "username", "Enter a valid username"),
        ({"email": "not-an-address"}, "email", "is not an email address"),
    ],
)
def test_member_invite_refuses_bad_input_and_creates_nothing(
    db, fields, field, message
):
    UserFactory(username="ana")
    before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.member_invite(
            project=first_project(),
            role=Role.VIEWER,
            site_url=SITE,
            **{"username": "new", **fields},
        )
    assert message in " ".join(caught.value.message_dict[field])
    assert User.objects.count() == before and not Membership.objects.exists()


def test_member_invite_emails_the_link_when_invites_are_sent(
    db, settings, django_capture_on_commit_callbacks
):
    settings.GLOSS_SEND_INVITES = True
    with django_capture_on_commit_callbacks(execute=True):
        _, link = services.member_invite(
            project=first_project(),
            username="nadia",
            role=Role.VIEWER,
            site_url=SITE,
            email="nadia@example.org",
        )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["nadia@example.org"] and link in sent.body
    assert "nadia" in sent.body and first_project().name in sent.subject


@pytest.mark.parametrize(
    ("send", "email"),
    [
        (False, "nadia@example.org"),  # no mail set up: the admin passes it on
        (True, ""),  # mail set up, but no address
    ],
)
def test_member_invite_sends_nothing_otherwise(
    db, settings, django_capture_on_commit_callbacks, send, email
):
    settings.GLOSS_SEND_INVITES = send
    with django_capture_on_commit_callbacks(execute=True):
        services.member_invite(
            project=first_project(),
            username="nadia",
            role=Role.VIEWER,
            site_url=SITE,
            email=email,
        )
    assert mail.outbox == []


# --- roles and the last admin ------------------------------------------------------


def test_membership_set_changes_a_role(db):
    ana = UserFactory(role=Role.ANNOTATOR)
    services.membership_set(user=ana, project=first_project(), role=Role.CURATOR)
    assert Membership.objects.get(user=ana).role == Role.CURATOR


def test_the_last_admin_can_be_neither_demoted_nor_removed(db):
    admin = UserFactory(role=Role.ADMIN)
    project = first_project()
    with pytest.raises(ValidationError, match="A project needs an admin"):
        services.membership_set(user=admin, project=project, role=Role.CURATOR)
    with pytest.raises(ValidationError, match="A project needs an admin"):
        services.membership_remove(user=admin, project=project)
    assert Membership.objects.get(user=admin).role == Role.ADMIN


def test_an_admin_can_leave_when_another_remains(db):
    admin, second = UserFactory(role=Role.ADMIN), UserFactory(role=Role.ADMIN)
    services.membership_remove(user=admin, project=first_project())
    assert list(Membership.objects.values_list("user", flat=True)) == [second.pk]


# --- projects ---------------------------------------------------------------------


def test_project_start_makes_the_creator_its_admin(db):
    root = UserFactory(is_superuser=True)
    project = services.project_start(name="Arctic  sovereignty", creator=root)
    assert (project.name, project.slug) == ("Arctic sovereignty", "arctic-sovereignty")
    assert Membership.objects.get(project=project).user == root
    assert Membership.objects.get(project=project).role == Role.ADMIN


def test_project_start_derives_a_unique_slug_and_refuses_a_taken_name(db):
    root = UserFactory(is_superuser=True)
    ProjectFactory(name="Other", slug="arctic")
    assert services.project_start(name="Arctic", creator=root).slug == "arctic-2"
    before = Project.objects.count()
    with pytest.raises(ValidationError, match="already exists"):
        services.project_start(name="ARCTIC", creator=root)
    assert Project.objects.count() == before


# --- API tokens -------------------------------------------------------------------


def test_api_token_issue_in_a_chosen_project(db):
    other = ProjectFactory()
    ana = UserFactory(role=Role.ANNOTATOR, role__project=other)
    token, row = services.api_token_issue(user=ana, project=other)
    assert ApiToken.objects.matching(token).get() == row and row.project == other


def test_api_token_revoke_deletes_only_ones_own_token(db):
    ana, ben = UserFactory(role=Role.VIEWER), UserFactory(role=Role.VIEWER)
    _, mine = services.api_token_issue(user=ana)
    _, kept = services.api_token_issue(user=ana)
    _, theirs = services.api_token_issue(user=ben)
    assert services.api_token_revoke(user=ana, token_id=theirs.pk) is False
    assert services.api_token_revoke(user=ana, token_id=mine.pk) is True
    assert services.api_token_revoke(user=ana, token_id=mine.pk) is False  # gone
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {kept.pk, theirs.pk}
