from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse

from changai.accounts.scope import root_orgs, scope_for
from changai.core.periods import QUARTER, InvalidPeriod, Period
from changai.indicators.models import Indicator
from changai.orgs.models import Org
from changai.worklists import services as worklists_services

from . import services
from .services import PERIOD_TYPES

_VIEW = "indicators.view_indicator"
MAX_EXPLORER_INDICATORS = 10
MAX_EXPLORER_ORGS = 20


# ---------------------------------------------------------------------------- access and selection


def _org_for_user(request, org_pk) -> Org:
    try:
        org_pk = int(org_pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(Org.objects.visible_to(request.user), pk=org_pk)


def _indicator(code: str) -> Indicator:
    return get_object_or_404(Indicator.objects.filter(is_active=True), code=code)


def _parse_period(code: str) -> Period:
    try:
        return Period.parse(code)
    except InvalidPeriod:
        raise Http404 from None


@dataclass
class Selection:
    roots: list[Org]
    org: Org
    period_type: str
    period: Period
    indicator: Indicator | None

    def query(self, **extra) -> str:
        params = {"org": self.org.pk, "period": self.period.code}
        if self.indicator:
            params["indicator"] = self.indicator.code
        params.update(extra)
        return urlencode(params)

    def url(self, name: str, **extra) -> str:
        return f"{reverse(name)}?{self.query(**extra)}"


def _period_type(request) -> str:
    period_type = request.GET.get("period_type", "")
    return period_type if period_type in dict(PERIOD_TYPES) else QUARTER


def _selection(request, roots: list[Org] | None = None) -> Selection:
    """Org, period and indicator from the query string; anything outside the user's scope is a 404."""
    roots = roots if roots is not None else list(root_orgs(request.user)[:20])
    if request.GET.get("org"):
        org = _org_for_user(request, request.GET["org"])
    elif roots:
        org = roots[0]
    else:
        raise Http404
    period_type = _period_type(request)
    code = request.GET.get("period", "").strip()
    period = _parse_period(code) if code else None
    if period is None or ("period_type" in request.GET and period.type != period_type):
        period = services.default_period(org, period_type)
    code = request.GET.get("indicator", "").strip()
    if code:
        indicator = _indicator(code)
    else:
        headline = services.headline_indicators()
        indicator = headline[0] if headline else services.chart_indicators().first()
    return Selection(roots, org, period.type, period, indicator)


def _ancestors_in_scope(user, org: Org) -> list[Org]:
    scope = scope_for(user)
    return [a for a in Org.objects.get_ancestors(org) if scope.contains(a)]


def _period_choices(selection: Selection) -> list[Period]:
    choices = services.recent_periods(selection.period_type)
    if selection.period not in choices:
        choices.insert(0, selection.period)
    return choices


def _chart_response(request, chart: services.Chart) -> HttpResponse:
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(chart.workbook(), f"{chart.title}.xlsx")
    return JsonResponse(chart.as_json())


def _xlsx_response(workbook, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    workbook.save(response)
    return response


# ---------------------------------------------------------------------------- pages


@login_required
@permission_required(_VIEW, raise_exception=True)
def dashboard(request, nav_active: str = "dashboard"):
    roots = list(root_orgs(request.user)[:20])
    if not roots:
        return render(request, "dashboards/dashboard.html", {"roots": [], "nav_active": nav_active})
    selection = _selection(request, roots)
    org, period = selection.org, selection.period
    changes = services.headline(org, period, services.headline_indicators())
    rounds = services.completeness_rounds(org, request.user)
    has_map = services.map_cities(org) is not None
    has_children = bool(services.ranked_children(org))
    # The charts travel inside the page (json_script), so a page view is one request however many charts
    # it has; their URLs serve the workbooks, the map's drill-down and other clients.
    names = ["trend", *(["ranking"] if has_children else []), *(["map"] if has_map else [])]
    names = names if selection.indicator else []
    charts = {name: selection.url(f"dashboards:{name}_data") for name in names}
    data = {name: _chart(name, selection, request.user).as_json() for name in names}
    context = {
        "nav_active": nav_active,
        "selection": selection,
        "roots": roots,
        "org": org,
        "period": period,
        "ancestors": [(a, _dashboard_link(selection, a.pk)) for a in _ancestors_in_scope(request.user, org)],
        "root_links": [(root, _dashboard_link(selection, root.pk)) for root in roots],
        "period_types": PERIOD_TYPES,
        "period_choices": _period_choices(selection),
        "indicators": services.chart_indicators(),
        "changes": changes,
        "rounds": rounds,
        "plan_lights": worklists_services.light_summary(org, request.user)
        if request.user.has_perm("worklists.view_planitem")
        else None,
        "has_map": has_map,
        "has_children": has_children,
        "headline_xlsx": selection.url("dashboards:headline_data", export="xlsx"),
        "completeness_xlsx": selection.url("dashboards:completeness_data", export="xlsx"),
        "chart_config": {"geo": static("vendor/maps/jiangsu.json"), "charts": charts, "data": data},
    }
    return render(request, "dashboards/dashboard.html", context)


@login_required
@permission_required(_VIEW, raise_exception=True)
def explorer(request):
    roots = list(root_orgs(request.user)[:20])
    if not roots:
        return render(request, "dashboards/explorer.html", {"roots": [], "nav_active": "explorer"})
    root = roots[0]
    orgs = [_org_for_user(request, pk) for pk in request.GET.getlist("org")[:MAX_EXPLORER_ORGS]] or [root]
    codes = request.GET.getlist("indicator")[:MAX_EXPLORER_INDICATORS]
    if codes:
        indicators = [_indicator(code) for code in codes]
    else:
        indicators = services.headline_indicators()[:1] or list(services.chart_indicators()[:1])
    period_type = _period_type(request)
    periods = _explorer_periods(request, orgs[0], period_type)
    chart = services.explorer_chart(indicators, orgs, periods)
    if request.GET.get("export") == "xlsx":
        return _xlsx_response(chart.workbook(), f"{chart.title}.xlsx")
    offered = [org for root in roots for org in services.explorer_orgs(request.user, root)]
    offered += [org for org in orgs if org not in offered]
    choices = services.recent_periods(period_type, 24)
    choices += [p for p in periods if p not in choices]
    context = {
        "nav_active": "explorer",
        "roots": roots,
        "chart": chart,
        "chart_data": chart.as_json(),
        "indicators": services.chart_indicators(),
        "selected_indicators": {i.code for i in indicators},
        "offered_orgs": offered,
        "selected_orgs": {o.pk for o in orgs},
        "period_types": PERIOD_TYPES,
        "period_type": period_type,
        "period_choices": sorted(choices, reverse=True),
        "start": periods[0],
        "end": periods[-1],
        "xlsx_url": f"{request.path}?{_with_export(request)}",
    }
    return render(request, "dashboards/explorer.html", context)


def _explorer_periods(request, org: Org, period_type: str) -> list[Period]:
    end = _period_param(request, "end", period_type) or services.default_period(org, period_type)
    start = _period_param(request, "start", period_type) or end.shift(1 - services.TREND_LENGTH)
    return services.period_range(start, end)


def _period_param(request, name: str, period_type: str) -> Period | None:
    code = request.GET.get(name, "").strip()
    if not code:
        return None
    period = _parse_period(code)
    return period if period.type == period_type else None


def _with_export(request) -> str:
    query = request.GET.copy()
    query["export"] = "xlsx"
    return query.urlencode()


# ---------------------------------------------------------------------------- chart data (JSON or xlsx)


def _chart(name: str, selection: Selection, user) -> services.Chart:
    """One chart of the dashboard for the selection, with the links its points lead to."""
    org, period, indicator = selection.org, selection.period, selection.indicator
    if name == "headline":
        return services.headline_chart(org, period, services.headline(org, period, services.headline_indicators()))
    if name == "completeness":
        return services.completeness_chart(org, services.completeness_rounds(org, user))
    if indicator is None:
        raise Http404
    if name == "map":
        cities = services.map_cities(org)
        if cities is None:
            raise Http404
        chart = services.map_chart(indicator, org, period, cities)
        pks = chart.meta.pop("pks")
        chart.meta["drill"] = [selection.url("dashboards:ranking_data", org=pk) for pk in pks]
        chart.meta["links"] = [_dashboard_link(selection, pk) for pk in pks]
        return chart
    if name == "ranking":
        chart = services.ranking_chart(indicator, org, period)
        chart.meta["links"] = [_dashboard_link(selection, pk) for pk in chart.meta.pop("pks")]
        return chart
    if name == "trend":
        return services.trend_chart(indicator, org, period)
    raise Http404


@login_required
@permission_required(_VIEW, raise_exception=True)
def chart_data(request, chart: str):
    return _chart_response(request, _chart(chart, _selection(request), request.user))


def _dashboard_link(selection: Selection, org_pk: int) -> str:
    return f"{reverse('dashboards:home')}?{selection.query(org=org_pk)}"
