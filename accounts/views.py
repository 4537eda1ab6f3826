"""Account pages: switching the current project, one's own settings
(password, API tokens), the current project's team, the site's projects, and
the one-time welcome link of a new member.

Thin views: forms parse, ``accounts.services`` writes, and every lookup is
within what the person may see (their own projects and tokens, the current
project's members), so something out of reach answers exactly like
something that does not exist (404). Bad input re-renders the page with the
message and status 400, having changed nothing.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import (
    MemberAddForm,
    MemberCreateForm,
    ProjectCreateForm,
    RoleForm,
    TokenCreateForm,
    apply_errors,
)
from accounts.models import ApiToken, Membership, Project
from accounts.projects import remember, request_project
from accounts.roles import (
    Role,
    can_administer,
    can_create_projects,
    forget_roles,
    role_required,
)
from accounts.tokens import user_of_link

SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _me(request: HttpRequest) -> User:
    """The signed-in person (LoginRequiredMiddleware let no one else in)."""
    return cast(User, request.user)


@require_POST
def project_switch(request: HttpRequest) -> HttpResponseRedirect:
    """Make another of the person's projects current, and go to its documents
    (the page they were on may belong to the project they left)."""
    slug = request.POST.get("project", "")
    chosen = next((p for p in request.projects if p.slug == slug), None)  # type: ignore[attr-defined]
    if chosen is None:
        raise Http404("No such project.")
    remember(request, chosen)
    messages.info(request, f"You are working in {chosen.name}.")
    return redirect("corpus:document_list")


# --- settings: password and API tokens ----------------------------------------


@never_cache
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings(request)


def _settings(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    """The settings page; ``context`` overrides a form (with its errors) or
    adds the token just made (``new_token``), shown this once."""
    context.setdefault("password_form", PasswordChangeForm(_me(request)))
    context.setdefault("token_form", TokenCreateForm(projects=request.projects))  # type: ignore[attr-defined]
    context["tokens"] = (
        ApiToken.objects.filter(user=_me(request))
        .select_related("project")
        .order_by("-created", "-pk")
    )
    return render(request, "accounts/settings.html", context, status=status)


@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(_me(request), request.POST)
    if not form.is_valid():
        return _settings(request, status=400, password_form=form)
    user = form.save()
    update_session_auth_hash(request, user)  # stay signed in here
    messages.success(request, "Your password is changed.")
    return redirect("accounts:settings")


@require_POST
@never_cache
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST, projects=request.projects)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _settings(request, status=400, token_form=form)
    try:
        token, row = services.api_token_issue(
            user=_me(request),
            project=form.cleaned_data["project"],
        )
    except ValidationError as error:
        apply_errors(form, error)
        return _settings(request, status=400, token_form=form)
    # Rendered, not redirected: the key exists only in this response.
    return _settings(request, new_token=token, new_row=row)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponseRedirect:
    if not services.api_token_revoke(user=_me(request), token_id=token_id):
        raise Http404("You have no such token.")
    messages.success(request, "The token is revoked: scripts using it are refused.")
    return redirect("accounts:settings")


# --- the team of the current project --------------------------------------------


@role_required(Role.ADMIN)
@never_cache
def team(request: HttpRequest) -> HttpResponse:
    return _team(request)


def _team(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    project = request_project(request)
    context.setdefault("add_form", MemberAddForm())
    context.setdefault("create_form", MemberCreateForm())
    context["members"] = (
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("-role", "user__username")
    )
    context["role_choices"] = Membership.RoleChoice.choices
    context["gloss_send_invites"] = settings.GLOSS_SEND_INVITES
    context["invite_valid_for"] = valid_for(settings.PASSWORD_RESET_TIMEOUT)
    return render(request, "accounts/team.html", context, status=status)


@require_POST
@role_required(Role.ADMIN)
def member_add(request: HttpRequest) -> HttpResponse:
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.member_add(
                project=request_project(request),  # type: ignore[arg-type]
                who=form.cleaned_data["who"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Added {_joined(membership)}.")
            return redirect("accounts:team")
    return _team(request, status=400, add_form=form)


@require_POST
@role_required(Role.ADMIN)
@never_cache
def member_create(request: HttpRequest) -> HttpResponse:
    form = MemberCreateForm(request.POST)
    if form.is_valid():
        try:
            user, link = services.member_invite(
                project=request_project(request),  # type: ignore[arg-type]
                site_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # Rendered, not redirected: the link is shown this once.
            return _team(request, invited=user, invite_link=link)
    return _team(request, status=400, create_form=form)


@require_POST
@role_required(Role.ADMIN)
def member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = _member(request, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles in the list.")
        return _team(request, status=400)
    try:
        membership = services.membership_set(
            user=membership.user,
            project=membership.project,
            role=form.cleaned_data["role"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _team(request, status=400)
    messages.success(request, f"{_joined(membership)}.")
    return _after_team_change(request)


@require_POST
@role_required(Role.ADMIN)
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = _member(request, member_id)
    try:
        services.membership_remove(user=membership.user, project=membership.project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _team(request, status=400)
    name = membership.user.get_username()
    messages.success(request, f"{name} is no longer in {membership.project}.")
    return _after_team_change(request)


def _member(request: HttpRequest, member_id: int) -> Membership:
    """A membership of the current project only: another project's is a 404."""
    return get_object_or_404(
        Membership.objects.select_related("user", "project"),
        pk=member_id,
        project=request_project(request),
    )


def _joined(membership: Membership) -> str:
    role = membership.get_role_display()
    return f"{membership.user.get_username()} is {role} in {membership.project}"


def _after_team_change(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the team page, unless the admin just gave up their own admin
    role (or membership): then to the search page they may still open."""
    forget_roles(request.user)
    if can_administer(request.user, request_project(request)):
        return redirect("accounts:team")
    return redirect("search:home")


# --- the site's projects ------------------------------------------------------------


def projects(request: HttpRequest) -> HttpResponse:
    if not can_create_projects(request.user):
        raise PermissionDenied("Only site administrators create projects.")
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.project_start(
                    name=form.cleaned_data["name"],
                    creator=_me(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                remember(request, project)
                messages.success(
                    request, f"Created {project.name}; you are working in it now."
                )
                return redirect("accounts:team")
        status = 400
    else:
        status = 200
    listing = Project.objects.annotate(members=Count("memberships")).order_by("name")
    context = {"form": form, "projects": listing}
    return render(request, "accounts/projects.html", context, status=status)


def valid_for(seconds: int) -> str:
    """How long a link lasts, in words.

    >>> valid_for(259200), valid_for(86400), valid_for(7200), valid_for(60)
    ('3 days', '1 day', '2 hours', '1 minute')
    """
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


# --- the one-time welcome link ------------------------------------------------------


@login_not_required
@never_cache
def welcome(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Set a first password through a one-time link, then sign in."""
    user = user_of_link(uidb64, token)
    if user is None:
        return render(request, "accounts/welcome_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend=SIGN_IN_BACKEND)
        messages.success(request, f"Welcome, {user.get_full_name() or user}.")
        return redirect("search:home")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "person": user}
    return render(request, "accounts/welcome.html", context, status=status)


def locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """The sign-in page's answer while django-axes holds a lockout
    (``AXES_LOCKOUT_CALLABLE``): who, why and for how long, status 429."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "username": request.POST.get("username", ""),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off": valid_for(int(cool_off.total_seconds())) if cool_off else "",
    }
    return render(request, "registration/lockout.html", context, status=429)
