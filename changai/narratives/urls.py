from django.urls import path

from . import views

app_name = "narratives"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("<int:report_pk>/", views.report_detail, name="detail"),
    path("<int:report_pk>/file/", views.report_file, name="file"),
    path("<int:report_pk>/reject-open/", views.report_reject_open, name="reject_open"),
    path("<int:report_pk>/delete/", views.report_delete, name="delete"),
    path("facts/<int:fact_pk>/", views.fact_detail, name="fact"),
    path("facts/<int:fact_pk>/accept/", views.fact_accept, name="accept"),
    path("facts/<int:fact_pk>/reject/", views.fact_reject, name="reject"),
    path("facts/<int:fact_pk>/withdraw/", views.fact_withdraw, name="withdraw"),
    path("values/<int:datavalue_pk>/source/", views.value_source, name="value_source"),
]
