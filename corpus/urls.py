"""Corpus pages: the list at /documents/, a reading page per document, the
upload page, and the curators' pages to edit or delete a document and correct
its records. (The site's home, /, is the search page.)"""

from django.urls import path

from corpus import curation_views, upload_views, views

app_name = "corpus"
RECORD = "documents/<slug:slug>/records/<int:pk>"
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
    path(
        "documents/<slug:slug>/original/",
        views.document_original,
        name="document_original",
    ),
    path(
        "documents/<slug:slug>/edit/",
        curation_views.document_edit,
        name="document_edit",
    ),
    path(
        "documents/<slug:slug>/delete/",
        curation_views.document_delete,
        name="document_delete",
    ),
    path(f"{RECORD}/merge/", curation_views.paragraph_merge, name="paragraph_merge"),
    path(f"{RECORD}/split/", curation_views.paragraph_split, name="paragraph_split"),
    path(f"{RECORD}/kind/", curation_views.paragraph_kind, name="paragraph_kind"),
    path(f"{RECORD}/hide/", curation_views.paragraph_hide, name="paragraph_hide"),
    path(f"{RECORD}/show/", curation_views.paragraph_show, name="paragraph_show"),
]
