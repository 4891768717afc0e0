from django.urls import path

from . import views

app_name = "evaluations"
urlpatterns = [
    path("", views.scorecard_list, name="list"),
    path("new/", views.scorecard_create, name="create"),
    path("<int:scorecard_pk>/", views.scorecard_detail, name="detail"),
    path("<int:scorecard_pk>/rules/", views.rule_add, name="rule_add"),
    path("<int:scorecard_pk>/assessees/", views.assessees_add, name="assessees_add"),
    path("<int:scorecard_pk>/open/", views.scorecard_open, name="open"),
    path("<int:scorecard_pk>/close/", views.scorecard_close, name="close"),
    path("<int:scorecard_pk>/recompute/", views.recompute, name="recompute"),
    path("<int:scorecard_pk>/ranking/", views.ranking, name="ranking"),
    path("rules/<int:rule_pk>/delete/", views.rule_delete, name="rule_delete"),
    path("assessees/<int:assessee_pk>/", views.assessee_detail, name="assessee_detail"),
    path("assessees/<int:assessee_pk>/remove/", views.assessee_remove, name="assessee_remove"),
    path("scores/<int:score_pk>/self/", views.self_score, name="self_score"),
    path("scores/<int:score_pk>/review/", views.review, name="review"),
]
