from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:job_pk>/", views.job_detail, name="job_detail"),
    path("<int:job_pk>/progress/", views.job_progress, name="job_progress"),
]
