from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.spotcheck_list, name="spotcheck_list"),
    path("spot-checks/new/", views.spotcheck_create, name="spotcheck_create"),
    path("spot-checks/<int:spotcheck_pk>/", views.spotcheck_detail, name="spotcheck_detail"),
    path("spot-checks/<int:spotcheck_pk>/findings/new/", views.finding_add, name="finding_add"),
    path("findings/<int:finding_pk>/rectify/", views.rectification_order, name="rectification_order"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path(
        "rectifications/<int:rectification_pk>/complete/",
        views.rectification_complete,
        name="rectification_complete",
    ),
    path("brands/", views.brand_list, name="brand_list"),
    path("brands/new/", views.brand_create, name="brand_create"),
    path("brands/<int:brand_pk>/", views.brand_detail, name="brand_detail"),
    path("brands/<int:brand_pk>/evaluate/", views.brand_evaluate, name="brand_evaluate"),
    path("brands/criteria/", views.criterion_list, name="criterion_list"),
    path("brands/criteria/<int:criterion_pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_pk>/decisions/new/", views.decision_add, name="decision_add"),
    path("decisions/<int:decision_pk>/to-item/", views.decision_to_item, name="decision_to_item"),
]
