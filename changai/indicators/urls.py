from django.urls import path

from . import views

app_name = "figures"
urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("entry/<slug:dataset_code>/<int:org_pk>/<str:period>/", views.entry, name="entry"),
    path("submissions/<int:submission_pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:submission_pk>/approve/", views.approve, name="approve"),
    path("submissions/<int:submission_pk>/return/", views.return_submission, name="return"),
    path("completeness/<slug:dataset_code>/<str:period>/", views.completeness, name="completeness"),
    path("completeness/<slug:dataset_code>/<str:period>/remind/", views.remind, name="remind"),
    path(
        "completeness/<slug:dataset_code>/<str:period>/exception/<int:org_pk>/",
        views.grant_exception,
        name="grant_exception",
    ),
    path("bulk/<slug:dataset_code>/<str:period>/", views.bulk_workbook, name="bulk_workbook"),
    path("catalogue/", views.indicator_list, name="indicator_list"),
    path("catalogue/new/", views.indicator_form, name="indicator_create"),
    path("catalogue/<int:indicator_pk>/edit/", views.indicator_form, name="indicator_edit"),
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/new/", views.dataset_form, name="dataset_create"),
    path("datasets/<int:dataset_pk>/edit/", views.dataset_form, name="dataset_edit"),
]
