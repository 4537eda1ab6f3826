"""Account pages under /accounts/ (sign-in and sign-out are in config.urls)."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("project/", views.project_switch, name="project_switch"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/password/", views.password_change, name="password_change"),
    path("settings/tokens/", views.token_create, name="token_create"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
    path("team/", views.team, name="team"),
    path("team/add/", views.member_add, name="member_add"),
    path("team/new/", views.member_create, name="member_create"),
    path("team/<int:member_id>/role/", views.member_role, name="member_role"),
    path("team/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("projects/", views.projects, name="projects"),
    path("welcome/<uidb64>/<token>/", views.welcome, name="welcome"),
]
