from django.urls import path

from . import views

app_name = "allowances"

urlpatterns = [
    path("", views.roster_list, name="roster_list"),
    path("rosters/new/", views.roster_create, name="roster_create"),
    path("rosters/<int:roster_pk>/", views.roster_detail, name="roster_detail"),
    path("rosters/<int:roster_pk>/recompute/", views.roster_recompute, name="roster_recompute"),
    path("rosters/<int:roster_pk>/approve/", views.roster_approve, name="roster_approve"),
    path("rosters/<int:roster_pk>/export/", views.roster_export, name="roster_export"),
    path("rosters/<int:roster_pk>/exports/<int:job_pk>/", views.roster_export_file, name="roster_export_file"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:policy_pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:policy_pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:policy_pk>/copy/", views.policy_copy, name="policy_copy"),
    path("talents/", views.designation_list, name="designation_list"),
    path("talents/<int:designation_pk>/edit/", views.designation_edit, name="designation_edit"),
    path("check/", views.unlisted_check, name="unlisted_check"),
]
