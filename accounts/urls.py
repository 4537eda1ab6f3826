"""Account pages under /accounts/ (sign-in and sign-out are in config.urls)."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("project/", views.project_switch, name="project_switch"),
]
