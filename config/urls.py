"""Root URLconf: search at the site root, the corpus pages, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("search.urls")),
    path("", include("corpus.urls")),
]
