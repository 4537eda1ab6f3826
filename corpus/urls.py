"""Corpus pages: the list at /documents/, a reading page per document.
(The site's home, /, is the search page.)"""

from django.urls import path

from corpus import views

app_name = "corpus"
urlpatterns = [
    path("documents/", views.document_list, name="document_list"),
    path("documents/<slug:slug>/", views.document_detail, name="document_detail"),
]
