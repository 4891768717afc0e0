from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from changai.core.home import home
from changai.core.views import notifications

urlpatterns = [
    path("", home, name="home"),
    path("notifications/", notifications, name="notifications"),
    path("accounts/", include("changai.accounts.urls")),
    path("orgs/", include("changai.orgs.urls")),
    path("jobs/", include("changai.core.urls")),
    path("figures/", include("changai.indicators.urls")),
    path("dashboard/", include("changai.dashboards.urls")),
    path("evaluations/", include("changai.evaluations.urls")),
    path("pilots/", include("changai.pilots.urls")),
    path("imports/", include("changai.core.import_urls")),
    path("supervision/", include("changai.supervision.urls")),
    path("worklists/", include("changai.worklists.urls")),
    path("policies/", include("changai.policies.urls")),
    path("suggestions/", include("changai.suggestions.urls")),
    path("demands/", include("changai.demands.urls")),
    path("workers/", include("changai.workers.urls")),
    path("certificates/", include("changai.certificates.urls")),
    path("allowances/", include("changai.allowances.urls")),
    path("training/", include("changai.training.urls")),
    path("careers/", include("changai.careers.urls")),
    path("bulletins/", include("changai.bulletins.urls")),
    path("narratives/", include("changai.narratives.urls")),
    path("api/v1/", include("changai.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]
