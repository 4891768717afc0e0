from django.urls import path

from . import views

app_name = "careers"

urlpatterns = [
    path("", views.move_list, name="moves"),
    path("moves/new/", views.move_create, name="move_create"),
    path("bridge/", views.eligibility, name="eligibility"),
    path("bridge/applications/", views.application_list, name="applications"),
    path("bridge/applications/new/", views.application_create, name="application_create"),
    path(
        "bridge/applications/<int:titleapplication_pk>/decide/",
        views.application_decide,
        name="application_decide",
    ),
]
