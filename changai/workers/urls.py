from django.urls import path

from . import views

app_name = "workers"

urlpatterns = [
    path("", views.worker_list, name="list"),
    path("former/", views.former_list, name="former"),
    path("new/", views.worker_create, name="create"),
    path("template/", views.template, name="template"),
    path("full-number-views/", views.full_views, name="full_views"),
    path("occupations/", views.occupation_list, name="occupations"),
    path("<int:worker_pk>/", views.worker_detail, name="detail"),
    path("<int:worker_pk>/reveal/", views.reveal, name="reveal"),
    path("<int:worker_pk>/edit/", views.worker_edit, name="edit"),
    path("<int:worker_pk>/move/", views.worker_move, name="move"),
    path("<int:worker_pk>/leave/", views.worker_leave, name="leave"),
]
