"""Corpus pages: the list at / and /documents/, a reading page per document."""

from django.urls import path

from corpus import views

app_name = "corpus"
urlpatterns = [
    path("", views.document_list, name="home"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/<slug:slug>/", views.document_detail, name="document_detail"),
]
