from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("<int:org_pk>/", views.detail, name="detail"),
    path("<int:org_pk>/children/", views.children, name="children"),
    path("<int:org_pk>/new/", views.create_child, name="create_child"),
    path("<int:org_pk>/edit/", views.edit, name="edit"),
    path("<int:org_pk>/move/", views.move, name="move"),
]
