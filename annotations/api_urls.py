"""The JSON API under /api/ (see annotations/api.py and /api/openapi.json)."""

from django.urls import path

from annotations import api

app_name = "api"
urlpatterns = [
    path("themes", api.themes, name="themes"),
    path("annotations", api.annotations, name="annotations"),
    path("annotations/bulk", api.annotations_bulk, name="annotations_bulk"),
    path("annotations/<int:pk>", api.annotation, name="annotation"),
    path("openapi.json", api.openapi, name="openapi"),
]
