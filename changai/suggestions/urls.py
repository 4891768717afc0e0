from django.urls import path

from . import views

app_name = "suggestions"
urlpatterns = [
    path("", views.suggestion_list, name="list"),
    path("new/", views.suggestion_create, name="create"),
    path("<int:suggestion_pk>/", views.suggestion_detail, name="detail"),
    path("<int:suggestion_pk>/review/", views.suggestion_review, name="review"),
    path("boxes/", views.box_list, name="boxes"),
    path("boxes/<int:org_pk>/", views.box_detail, name="box"),
    path("boxes/<int:org_pk>/qr.svg", views.box_qr, name="box_qr"),
    path("boxes/<int:org_pk>/reset/", views.box_reset, name="box_reset"),
    path("boxes/<int:org_pk>/toggle/", views.box_toggle, name="box_toggle"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:category_pk>/edit/", views.category_edit, name="category_edit"),
    path("s/<str:token>/", views.public_box, name="public"),
]
