"""Search: the page at / and /search/, the JSON API at /api/search."""

from django.urls import path

from search import api, views

app_name = "search"
urlpatterns = [
    path("", views.search, name="home"),
    path("search/", views.search, name="search"),
    path("api/search", api.search, name="api"),
]
