from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("expiring/", views.expiry_list, name="expiring"),
    path("find-worker/", views.find_worker, name="find_worker"),
    path("workers/<int:worker_pk>/", views.worker_skills, name="worker"),
    path("workers/<int:worker_pk>/new/", views.certificate_create, name="create"),
    path("workers/<int:worker_pk>/titles/new/", views.title_create, name="title_create"),
    path("titles/<int:engineeringtitle_pk>/edit/", views.title_edit, name="title_edit"),
    path("<int:certificate_pk>/", views.certificate_detail, name="detail"),
    path("<int:certificate_pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("authorisations/", views.authorisation_list, name="authorisation_list"),
    path("authorisations/new/", views.authorisation_create, name="authorisation_create"),
    path("authorisations/<int:authorisation_pk>/edit/", views.authorisation_edit, name="authorisation_edit"),
    path("authorisations/<int:authorisation_pk>/end/", views.authorisation_end, name="authorisation_end"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:ratingbatch_pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:ratingbatch_pk>/edit/", views.batch_edit, name="batch_edit"),
    path("batches/<int:ratingbatch_pk>/candidates/", views.candidates_add, name="candidates_add"),
    path(
        "batches/<int:ratingbatch_pk>/candidates/<int:ratingcandidate_pk>/remove/",
        views.candidate_remove,
        name="candidate_remove",
    ),
    path("batches/<int:ratingbatch_pk>/results/", views.batch_results, name="batch_results"),
    path("batches/<int:ratingbatch_pk>/issue/", views.batch_issue, name="batch_issue"),
]
