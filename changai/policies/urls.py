from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_create, name="create"),
    path("<int:policy_pk>/", views.policy_detail, name="detail"),
    path("<int:policy_pk>/edit/", views.policy_edit, name="edit"),
    path("<int:policy_pk>/publish/", views.policy_publish, name="publish"),
    path("<int:policy_pk>/withdraw/", views.policy_withdraw, name="withdraw"),
    path("<int:policy_pk>/receipts/", views.receipt_status, name="receipts"),
    path("<int:policy_pk>/remind/", views.remind, name="remind"),
    path("attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
