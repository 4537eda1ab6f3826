"""Search: the page at / and /search/ (the JSON API, /api/search, is
search/api.py's router in config/api.py)."""

from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("", views.search, name="home"),
    path("search/", views.search, name="search"),
]
