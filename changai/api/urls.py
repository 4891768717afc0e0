from django.urls import include, path
from rest_framework.routers import DefaultRouter

from changai.accounts.api import MeView
from changai.orgs.api import OrgViewSet

router = DefaultRouter()
router.register("orgs", OrgViewSet, basename="org")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
