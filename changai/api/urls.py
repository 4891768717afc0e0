from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from changai.accounts.api import MeView
from changai.demands.api import DemandViewSet
from changai.evaluations.api import ScorecardViewSet
from changai.indicators.api import DataSetViewSet, IndicatorViewSet, ValueViewSet
from changai.orgs.api import OrgViewSet
from changai.pilots.api import PairingViewSet, PilotProjectViewSet, PilotViewSet
from changai.policies.api import PolicyViewSet
from changai.suggestions.api import SuggestionViewSet
from changai.supervision.api import BrandViewSet, MeetingViewSet, SpotCheckViewSet
from changai.worklists.api import CheckpointViewSet, NoticeViewSet, PlanItemViewSet, PlanViewSet

router = DefaultRouter()
router.register("orgs", OrgViewSet, basename="org")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("datasets", DataSetViewSet, basename="dataset")
router.register("values", ValueViewSet, basename="value")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("pilots", PilotViewSet, basename="pilot")
router.register("pilot-projects", PilotProjectViewSet, basename="pilot-project")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("plans", PlanViewSet, basename="plan")
router.register("items", PlanItemViewSet, basename="planitem")
router.register("checkpoints", CheckpointViewSet, basename="checkpoint")
router.register("notices", NoticeViewSet, basename="notice")
router.register("spot-checks", SpotCheckViewSet, basename="spot-check")
router.register("brands", BrandViewSet, basename="brand")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("policies", PolicyViewSet, basename="policy")
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("demands", DemandViewSet, basename="demand")

# Later apps list their routes in api.py as ROUTES = [(prefix, viewset, basename), ...].
for _app in ("workers", "certificates", "allowances", "training", "careers", "bulletins", "narratives"):
    for _prefix, _viewset, _basename in import_module(f"changai.{_app}.api").ROUTES:
        router.register(_prefix, _viewset, basename=_basename)

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
]
