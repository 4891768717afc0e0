"""The project's URL walk, over this app's pages and API routes only: outsiders never reach a bulletin record."""

from django.contrib.auth.models import AnonymousUser

from changai.tests.test_authorization import _assert_not_reached, _client, all_routes, make_secret


def _bulletin_routes():
    return [r for r in all_routes() if r.name.startswith(("bulletins:", "bulletin-"))]


def test_no_bulletin_route_lets_an_outsider_reach_a_record_outside_its_scope(cast):
    gaoyou_secret = make_secret(cast.gaoyou_firm, "高邮")
    jiangyin_secret = make_secret(cast.jiangyin_firm, "江阴")
    actors = [
        ("jiangyin", cast.users["jiangyin"], gaoyou_secret),
        ("gaoyou", cast.users["gaoyou"], jiangyin_secret),
        ("zhutang", cast.users["zhutang"], gaoyou_secret),
        ("renshe", cast.users["renshe"], jiangyin_secret),
        ("lingdao-outside", cast.users["shengqi"], gaoyou_secret),
        ("anonymous", AnonymousUser(), jiangyin_secret),
    ]
    routes = _bulletin_routes()
    assert len(routes) >= 25
    for label, user, secret in actors:
        client = _client(user)
        for route in routes:
            _assert_not_reached(client, route, secret, label)
