from datetime import date

import pytest

from changai.certificates import services
from changai.certificates.models import Level, Route
from changai.core.periods import Period
from changai.indicators.registry import get_computed
from changai.workers.services import move_worker

from .factories import authorise, certificate, worker

pytestmark = pytest.mark.django_db


def figure(code, org, period="2024"):
    return get_computed(code).compute(Period.parse(period), [org])[org.pk]


def test_certificates_issued_count_by_route_and_level_where_the_worker_was_employed(cast):
    authorise(cast.jiangyin_firm, "车工", Level.TECHNICIAN)
    zhang = worker(cast.jiangyin_firm, name="张", hired_on=date(2010, 1, 1))
    li = worker(cast.line_firm, name="李")
    far = worker(cast.gaoyou_firm, name="远")
    certificate(zhang, Level.SENIOR, route=Route.SELF_RATING, issued_on=date(2024, 3, 1))
    certificate(zhang, Level.TECHNICIAN, "焊工", route=Route.COMPETITION, issued_on=date(2024, 9, 1))
    revoked = certificate(li, Level.SENIOR, issued_on=date(2024, 5, 1))
    services.revoke_certificate(cast.users["jiangyin"], revoked, "录入错误")
    certificate(li, Level.JUNIOR, issued_on=date(2023, 5, 1))
    certificate(far, Level.SENIOR, issued_on=date(2024, 5, 1))
    move_worker(zhang, cast.line_firm, date(2024, 10, 1))

    assert figure("certificates_issued", cast.jiangyin) == 2
    assert figure("certificates_issued", cast.jiangyin_firm) == 2  # stays with the enterprise that employed him
    assert figure("certificates_issued", cast.line_firm) == 0
    assert figure("certificates_issued", cast.province) == 3
    assert figure("certificates_issued_self", cast.jiangyin) == 1
    assert figure("certificates_issued_competition", cast.jiangyin) == 1
    assert figure("certificates_issued_social", cast.jiangyin) == 0
    assert figure("certificates_issued_level_4", cast.province) == 2
    assert figure("certificates_issued_level_5", cast.province) == 1
    assert figure("certificates_issued_level_2", cast.jiangyin, "2023") == 1
    assert figure("certificates_issued", cast.jiangyin, "2024Q1") == 1


def test_every_route_and_level_has_a_figure():
    codes = {f"certificates_issued_{route.value}" for route in Route} | {
        f"certificates_issued_level_{level.value}" for level in Level
    }
    assert all(get_computed(code) is not None for code in codes)


def test_enterprises_holding_a_valid_filing(cast):
    authorise(cast.jiangyin_firm, "车工", valid_from=date(2024, 1, 1), valid_to=date(2024, 6, 30))
    authorise(cast.line_firm, "焊工", valid_from=date(2024, 1, 1), valid_to=date(2025, 12, 31))
    assert figure("certificates_self_rating_enterprises", cast.jiangyin, "2024Q2") == 2
    assert figure("certificates_self_rating_enterprises", cast.jiangyin, "2024Q4") == 1
