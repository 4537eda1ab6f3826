"""Corpus pages: the list at /documents/, a reading page per document, the
upload page. (The site's home, /, is the search page.)"""

from django.urls import path

from corpus import upload_views, views

app_name = "corpus"
urlpatterns = [
    path("documents/", views.document_list, name="document_list"),
    # Before <slug>: "upload" is this page, not a document.
    path("documents/upload/", upload_views.upload, name="upload"),
    path("documents/upload/jobs/<int:pk>/", upload_views.upload_job, name="upload_job"),
    path(
        "documents/upload/jobs/<int:pk>/retry/",
        upload_views.upload_job_retry,
        name="upload_job_retry",
    ),
    path("documents/<slug:slug>/", views.document_detail, name="document_detail"),
]
