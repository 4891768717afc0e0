# Temporary until the import framework lands (helper is writing it).
from django.http import Http404
from django.urls import path


def _pending(request, **kwargs):
    raise Http404


app_name = "imports"
urlpatterns = [
    path("", _pending, name="list"),
    path("<str:importer_key>/upload/", _pending, name="upload"),
]
