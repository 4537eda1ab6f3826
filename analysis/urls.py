"""Pages of the analysis workspace, under /analysis/."""

from django.urls import path

from analysis import views

app_name = "analysis"
urlpatterns = [
    path("analysis/", views.index, name="index"),
    path("analysis/passages/", views.passages, name="passages"),
    path("analysis/matrix/", views.matrix, name="matrix"),
    path("analysis/co-occurrence/", views.co_occurrence, name="co_occurrence"),
    path("analysis/codeline/", views.codeline, name="codeline"),
    path("analysis/codeline/<slug:slug>/", views.codeline, name="codeline_document"),
    path("analysis/charts/", views.chart_page, name="charts"),
    path("analysis/kwic/", views.kwic, name="kwic"),
    path("analysis/memos/", views.memos, name="memos"),
    path("analysis/memos/new/", views.memo_new, name="memo_new"),
    path("analysis/memos/<int:pk>/delete/", views.memo_delete, name="memo_delete"),
]
