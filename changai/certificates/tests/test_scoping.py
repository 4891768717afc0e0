"""The authorization walk of changai/tests/test_authorization.py, over this app's pages and API routes only."""

import pytest
from django.contrib.auth.models import AnonymousUser

from changai.tests.test_authorization import _assert_not_reached, _client, all_routes, make_secret

pytestmark = pytest.mark.django_db
API_BASENAMES = ("certificate-", "rating-batch-")


def test_no_certificate_route_lets_an_outsider_reach_a_record_outside_its_scope(cast):
    routes = [r for r in all_routes() if r.name.startswith("certificates:") or r.name.startswith(API_BASENAMES)]
    assert len(routes) >= 25
    gaoyou_secret = make_secret(cast.gaoyou_firm, "高邮")
    jiangyin_secret = make_secret(cast.jiangyin_firm, "江阴")
    actors = [
        ("jiangyin", cast.users["jiangyin"], gaoyou_secret),
        ("gaoyou", cast.users["gaoyou"], jiangyin_secret),
        ("renshe", cast.users["renshe"], jiangyin_secret),
        ("anonymous", AnonymousUser(), jiangyin_secret),
    ]
    for label, user, secret in actors:
        client = _client(user)
        for route in routes:
            _assert_not_reached(client, route, secret, label)
