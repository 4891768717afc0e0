"""Walks every URL pattern and API route as outsiders and fails when one reaches a record outside its scope.

Patterns are discovered from the URLconf, so a new view or route is covered without editing this file;
a new URL keyword must be added to SECRET_VALUES (the test fails until it is), which is the point.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from changai.accounts.models import Membership
from changai.accounts.roles import Role
from changai.accounts.tests.factories import member
from changai.core.models import Job

SKIPPED_PREFIXES = ("django-admin/",)  # staff only; covered by test_admin_is_closed_to_reform_staff
MISSING_PK = 987654321


@dataclass
class Route:
    name: str
    kwargs: tuple[str, ...]
    callback: object


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL pattern {route} has no name; every route must be named"
            yield Route(namespace + entry.name, tuple(entry.pattern.regex.groupindex), entry.callback)


def all_routes() -> list[Route]:
    seen, routes = set(), []
    for route in _walk(get_resolver().url_patterns):
        key = (route.name, route.kwargs)
        if key not in seen:
            seen.add(key)
            routes.append(route)
    return routes


@dataclass
class Secret:
    """Records at one org that an actor must never reach."""

    org: object
    user: object
    membership: object
    job: object
    name: str

    def value(self, kwarg: str, route: Route):
        values = {
            "org_pk": self.org.pk,
            "user_pk": self.user.pk,
            "membership_pk": self.membership.pk,
            "job_pk": self.job.pk,
            "format": "json",
            "importer_key": "orgs.enterprises",
            "indicator_code": "enterprises",
            "dataset_code": "town_quarterly",
        }
        values.update(_extra_values(self))
        if kwarg == "pk":
            return self._object_for_viewset(route).pk
        assert kwarg in values, f"URL keyword {kwarg!r} of {route.name} is unknown to the authorization test"
        return values[kwarg]

    def _object_for_viewset(self, route):
        model = route.callback.cls.serializer_class.Meta.model
        for candidate in (self.org, self.user, self.membership, self.job, *_extra_values(self).get("_objects", [])):
            if isinstance(candidate, model):
                return candidate
        raise AssertionError(f"No secret {model.__name__} for route {route.name}")


def _extra_values(secret):
    """Secrets of later apps at the secret org: an import batch, a submitted report."""
    if not hasattr(secret, "_extra"):
        secret._extra = _make_extra(secret)
    return secret._extra


def _make_extra(secret):
    from changai.core.models import ImportBatch
    from changai.demands.tests.authz import demand_secrets
    from changai.indicators.models import DataSet, DataSetIndicator, DataValue, Indicator, Submission
    from changai.pilots.tests.authz import pilot_secrets
    from changai.policies.tests.authz import policy_secrets
    from changai.suggestions.tests.authz import suggestion_secrets
    from changai.supervision.tests.authz import supervision_secrets

    batch = ImportBatch.objects.create(importer_key="orgs.enterprises", org=secret.org, created_by=secret.user)
    indicator, _ = Indicator.objects.get_or_create(
        code="secret_count", defaults={"name": "秘密指标", "unit": "个", "pillar": "quality"}
    )
    dataset, _ = DataSet.objects.get_or_create(
        code="secret-form", defaults={"name": "企业季报", "period_type": "quarter", "reporting_kinds": ["enterprise"]}
    )
    DataSetIndicator.objects.get_or_create(dataset=dataset, indicator=indicator)
    submission = Submission.objects.create(dataset=dataset, org=secret.org, period="2026Q3", status="submitted")
    DataValue.objects.create(indicator=indicator, org=secret.org, period="2026Q3", value=7, submission=submission)
    plan, item, checkpoint, notice = _make_plan(secret)
    scorecard_values, scorecard_objects = _make_scorecard(secret)
    pilot_values, pilot_objects = pilot_secrets(secret.org)
    supervision_values, supervision_objects = supervision_secrets(secret.org, secret.name)
    policy_values, policy_objects = policy_secrets(secret.org, secret.name)
    suggestion_values, suggestion_objects = suggestion_secrets(secret.org, secret.name)
    demand_values, demand_objects = demand_secrets(secret)
    later_values, later_objects = _later_app_secrets(secret)
    return {
        **later_values,
        **scorecard_values,
        **pilot_values,
        **supervision_values,
        **policy_values,
        **suggestion_values,
        **demand_values,
        "plan_pk": plan.pk,
        "item_pk": item.pk,
        "notice_pk": notice.pk,
        "progress_pk": _make_progress(secret, item).pk,
        "batch_pk": batch.pk,
        "submission_pk": submission.pk,
        "dataset_pk": dataset.pk,
        "indicator_pk": indicator.pk,
        "dataset_code": dataset.code,
        "period": "2026Q3",
        "_objects": [
            batch,
            submission,
            dataset,
            indicator,
            plan,
            item,
            checkpoint,
            notice,
            *scorecard_objects,
            *pilot_objects,
            *supervision_objects,
            *policy_objects,
            *suggestion_objects,
            *demand_objects,
            *later_objects,
        ],
    }


# Apps whose tests/authz.py defines `secrets(secret) -> (url values, objects)` for the walk.
LATER_APPS = ["workers", "certificates", "allowances", "training", "careers", "bulletins", "narratives"]


def _later_app_secrets(secret):
    from importlib import import_module
    from importlib.util import find_spec

    values, objects = {}, []
    for app in LATER_APPS:
        if find_spec(f"changai.{app}.tests.authz") is None:
            continue
        app_values, app_objects = import_module(f"changai.{app}.tests.authz").secrets(secret)
        values.update(app_values)
        objects.extend(app_objects)
    return values, objects


def _make_plan(secret):
    from changai.worklists.models import Checkpoint, Plan, PlanItem, SupervisionNotice

    plan = Plan.objects.create(org=secret.org, year=2026, title=f"{secret.name}工作计划", cadence=["monthly"])
    item = PlanItem.objects.create(
        plan=plan,
        number="1",
        title=f"{secret.name}秘密任务",
        pillar="quality",
        lead_unit=secret.org,
        target="目标",
        starts_on=date(2026, 1, 1),
        deadline=date(2026, 12, 31),
    )
    checkpoint = Checkpoint.objects.create(item=item, kind="monthly", period="2026M01", due_on=date(2026, 2, 4))
    notice = SupervisionNotice.objects.create(item=item, unit=secret.org, reason="督办", reply_due=date(2026, 2, 9))
    return plan, item, checkpoint, notice


def _make_progress(secret, item):
    from django.core.files.base import ContentFile

    from changai.worklists.models import Progress

    attachment = ContentFile(f"%PDF-1.4 {secret.name}".encode(), name="secret.pdf")
    return Progress.objects.create(item=item, unit=secret.org, percent=10, narrative="进展", attachment=attachment)


def _make_scorecard(secret):
    from changai.evaluations.models import Assessee, Score, Scorecard, ScoreRule

    scorecard = Scorecard.objects.create(
        org=secret.org, year=2026, title=f"{secret.name}考核", max_points=3, status="open"
    )
    rule = ScoreRule.objects.create(scorecard=scorecard, name=f"{secret.name}细则", points=10)
    assessee = Assessee.objects.create(scorecard=scorecard, org=secret.org)
    score = Score.objects.create(assessee=assessee, rule=rule, self_score=5, self_comment=f"{secret.name}自评")
    values = {"scorecard_pk": scorecard.pk, "rule_pk": rule.pk, "assessee_pk": assessee.pk, "score_pk": score.pk}
    return values, [scorecard]


def make_secret(org, label) -> Secret:
    user = member(f"secret-{org.pk}", org, Role.ENTERPRISE_UNION)
    user.full_name = f"{label}密友"
    user.save()
    job = Job.objects.create(kind="test", title=f"{label}秘密任务", org=org, created_by=user)
    return Secret(org=org, user=user, membership=Membership.objects.get(user=user), job=job, name=org.name)


def _url(route: Route, secret: Secret, missing=False) -> str:
    kwargs = {}
    for kwarg in route.kwargs:
        value = secret.value(kwarg, route)
        if missing and kwarg.endswith("pk"):
            value = MISSING_PK
        kwargs[kwarg] = value
    return reverse(route.name, kwargs=kwargs)


def _client(user) -> Client:
    client = Client()
    if not isinstance(user, AnonymousUser):
        client.force_login(user)
    return client


def _assert_not_reached(client, route, secret, actor):
    if route.kwargs and any(k.endswith("pk") for k in route.kwargs):
        url, missing_url = _url(route, secret), _url(route, secret, missing=True)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            baseline = getattr(client, method)(missing_url)
            assert response.status_code == baseline.status_code, (
                f"{actor} {method.upper()} {url} answered {response.status_code}, "
                f"but {baseline.status_code} for a record that does not exist"
            )
            assert response.status_code not in range(200, 300), f"{actor} reached {url} ({method})"
            assert secret.name not in response.content.decode("utf-8", "replace")
    else:
        url = _url(route, secret)
        # Search for part of the name so an echoed search box does not count as a leak.
        fragment = secret.name[2:6]
        response = client.get(url, {"q": fragment, "search": fragment})
        if response.status_code == 200 and "spreadsheet" not in response.get("Content-Type", ""):
            body = response.content.decode("utf-8", "replace")
            assert secret.name not in body, f"{actor} saw {secret.name} on {url}"
            assert secret.user.full_name not in body, f"{actor} saw {secret.user.full_name} on {url}"
            assert secret.job.title not in body, f"{actor} saw {secret.job.title} on {url}"


@pytest.mark.django_db
def test_no_route_lets_an_outsider_reach_a_record_outside_its_scope(cast):
    gaoyou_secret = make_secret(cast.gaoyou_firm, "高邮")
    jiangyin_secret = make_secret(cast.jiangyin_firm, "江阴")
    actors = [
        ("jiangyin", cast.users["jiangyin"], gaoyou_secret),
        ("gaoyou", cast.users["gaoyou"], jiangyin_secret),
        ("renshe", cast.users["renshe"], jiangyin_secret),
        ("anonymous", AnonymousUser(), jiangyin_secret),
    ]
    routes = all_routes()
    assert len(routes) > 20
    for label, user, secret in actors:
        client = _client(user)
        for route in routes:
            _assert_not_reached(client, route, secret, label)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(cast, client):
    response = client.get(reverse("orgs:detail", kwargs={"org_pk": cast.jiangyin.pk}))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(reverse("org-list")).status_code in (401, 403)


@pytest.mark.django_db
def test_admin_is_closed_to_reform_staff(cast):
    response = _client(cast.users["sheng"]).get("/django-admin/")
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_the_walk_covers_the_api_and_the_pages():
    names = {route.name for route in all_routes()}
    assert {"org-list", "org-detail", "api-me", "orgs:detail", "orgs:edit", "accounts:user_detail"} <= names


@pytest.mark.django_db
def test_superusers_reach_the_admin(cast, admin_client, admin_user):
    admin_user.must_change_password = False
    admin_user.save()
    assert admin_client.get("/django-admin/orgs/org/").status_code == 200
    assert admin_client.get("/django-admin/accounts/user/").status_code == 200
