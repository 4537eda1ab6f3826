"""Pages of the annotations app: codebook, activity, agreement, bulk review,
export and import."""

from django.urls import path

from annotations import adjudication_views, export_views, import_views, views

app_name = "annotations"
urlpatterns = [
    path("codebook/", views.codebook, name="codebook"),
    path("codebook/new/", views.theme_new, name="theme_new"),
    path("codebook/<slug:slug>/", views.theme_detail, name="theme_detail"),
    path("codebook/<slug:slug>/edit/", views.theme_edit, name="theme_edit"),
    path("codebook/<slug:slug>/merge/", views.theme_merge, name="theme_merge"),
    path("codebook/<slug:slug>/move/", views.theme_move, name="theme_move"),
    path("codebook/<slug:slug>/reorder/", views.theme_reorder, name="theme_reorder"),
    path("codebook/<slug:slug>/retire/", views.theme_retire, name="theme_retire"),
    path("export/", export_views.export_page, name="export"),
    path("import/", import_views.import_page, name="import"),
    path("activity/", views.activity, name="activity"),
    path("agreement/", views.agreement, name="agreement"),
    path("agreement/rounds/", views.coding_rounds, name="rounds"),
    path(
        "agreement/rounds/<int:pk>/close/",
        views.coding_round_close,
        name="round_close",
    ),
    path("annotations/bulk-review/", views.bulk_review, name="bulk_review"),
    path("adjudicate/", adjudication_views.queue, name="adjudicate"),
    path(
        "adjudicate/decide/",
        adjudication_views.decide,
        name="adjudicate_decide",
    ),
    path("codebook/<slug:slug>/delete/", views.theme_delete, name="theme_delete"),
    path("activity/<int:pk>/undo/", views.activity_undo, name="activity_undo"),
]
