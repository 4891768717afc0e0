from django.urls import path

from . import views

app_name = "demands"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("new/", views.demand_create, name="create"),
    path("ledger/", views.ledger, name="ledger"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:category_pk>/edit/", views.category_edit, name="category_edit"),
    path("box/", views.box_index, name="box_index"),
    path("box/<int:org_pk>/", views.box, name="box"),
    path("q/<str:token>/", views.phone, name="phone"),
    path("q/<str:token>/thanks/", views.phone_thanks, name="phone_thanks"),
    path("t/<str:follow_token>/", views.follow, name="follow"),
    path("<int:demand_pk>/", views.demand_detail, name="detail"),
    path("<int:demand_pk>/files/<int:demandfile_pk>/", views.demand_file, name="file"),
    path("<int:demand_pk>/merge/", views.demand_merge, name="merge"),
    path("<int:demand_pk>/route/", views.demand_route, name="route"),
    path("<int:demand_pk>/extension/decide/", views.extension_decide, name="extension_decide"),
    path("<int:demand_pk>/reopen/", views.demand_reopen, name="reopen"),
    path("<int:demand_pk>/callback/", views.demand_callback, name="callback"),
    path("<int:demand_pk>/acknowledge/", views.assignment_acknowledge, name="acknowledge"),
    path("<int:demand_pk>/extension/", views.assignment_extension, name="extension"),
    path("<int:demand_pk>/return/", views.assignment_return, name="return"),
    path("<int:demand_pk>/answer/", views.assignment_answer, name="answer"),
    path("<int:demand_pk>/plan/", views.demand_plan, name="plan"),
    path("<int:demand_pk>/implemented/", views.demand_implemented, name="implemented"),
    path("<int:demand_pk>/confirm/", views.demand_confirm, name="confirm"),
    path("<int:demand_pk>/rate/", views.demand_rate, name="rate"),
]
