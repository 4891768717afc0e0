from django.urls import path

from . import views

app_name = "worklists"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("mine/", views.my_tasks, name="my_tasks"),
    path("notices/", views.notice_list, name="notice_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_pk>/copy/", views.plan_copy, name="plan_copy"),
    path("plans/<int:plan_pk>/import/", views.plan_import, name="plan_import"),
    path("plans/<int:plan_pk>/items/new/", views.item_create, name="item_create"),
    path("plans/<int:plan_pk>/adopt/", views.adopt_list, name="adopt_list"),
    path("plans/<int:plan_pk>/adopt/<int:item_pk>/", views.adopt, name="adopt"),
    path("items/<int:item_pk>/", views.item_detail, name="item_detail"),
    path("items/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:item_pk>/progress/", views.progress_submit, name="progress_submit"),
    path("items/<int:item_pk>/notices/new/", views.notice_issue, name="notice_issue"),
    path("notices/<int:notice_pk>/reply/", views.notice_reply, name="notice_reply"),
    path("progress/<int:progress_pk>/attachment/", views.attachment, name="attachment"),
]
