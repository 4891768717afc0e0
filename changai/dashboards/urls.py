from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("explorer/", views.explorer, name="explorer"),
    path("data/headline/", views.chart_data, {"chart": "headline"}, name="headline_data"),
    path("data/map/", views.chart_data, {"chart": "map"}, name="map_data"),
    path("data/ranking/", views.chart_data, {"chart": "ranking"}, name="ranking_data"),
    path("data/trend/", views.chart_data, {"chart": "trend"}, name="trend_data"),
    path("data/completeness/", views.chart_data, {"chart": "completeness"}, name="completeness_data"),
]
