from django.urls import path

from . import import_views as views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<str:importer_key>/upload/", views.upload_view, name="upload"),
    path("<str:importer_key>/template/", views.template_download, name="template"),
    path("batches/<int:batch_pk>/", views.batch_detail, name="detail"),
    path("batches/<int:batch_pk>/commit/", views.commit_view, name="commit"),
    path("batches/<int:batch_pk>/errors/", views.error_download, name="errors"),
]
