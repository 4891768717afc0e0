from django.urls import include, path
from rest_framework.routers import DefaultRouter

from changai.accounts.api import MeView
from changai.indicators.api import DataSetViewSet, IndicatorViewSet, ValueViewSet
from changai.orgs.api import OrgViewSet

router = DefaultRouter()
router.register("orgs", OrgViewSet, basename="org")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("datasets", DataSetViewSet, basename="dataset")
router.register("values", ValueViewSet, basename="value")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
