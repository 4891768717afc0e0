from django.urls import path

from . import views

app_name = "pilots"
urlpatterns = [
    path("", views.pilot_list, name="list"),
    path("new/", views.pilot_apply, name="apply"),
    path("map/", views.pilot_map, name="map"),
    path("map/data/", views.map_data, name="map_data"),
    path("<int:pilot_pk>/", views.pilot_detail, name="detail"),
    path("<int:pilot_pk>/edit/", views.pilot_edit, name="edit"),
    path("<int:pilot_pk>/transition/", views.pilot_transition, name="transition"),
    path("<int:pilot_pk>/projects/new/", views.project_add, name="project_add"),
    path("projects/<int:project_pk>/edit/", views.project_edit, name="project_edit"),
    path("pairings/", views.pairing_list, name="pairing_list"),
    path("pairings/new/", views.pairing_create, name="pairing_create"),
    path("pairings/<int:pairing_pk>/", views.pairing_detail, name="pairing_detail"),
    path("types/", views.type_list, name="types"),
    path("types/<int:type_pk>/edit/", views.type_edit, name="type_edit"),
]
