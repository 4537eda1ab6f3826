"""Root URLconf: the corpus pages at the site root, the admin at /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("corpus.urls")),
]
