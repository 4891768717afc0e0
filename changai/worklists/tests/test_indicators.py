from datetime import date
from unittest import mock

from changai.core.periods import Period
from changai.indicators.registry import get_computed
from changai.worklists import services
from changai.worklists.tests.factories import plan_with_item


def figure(code, period, org):
    return get_computed(code).compute(Period.parse(period), [org])[org.pk]


def test_plan_figures_count_items_lights_and_notices(cast):
    with mock.patch("changai.worklists.services.today", return_value=date(2024, 1, 2)):
        _, item = plan_with_item(cast, cadence=("quarterly",))
    with mock.patch("changai.worklists.services.today", return_value=date(2024, 4, 10)):
        services.supervise()
    with mock.patch("changai.indicators.registry.timezone.localdate", return_value=date(2024, 4, 30)):
        assert figure("plan_items_active", "2024", cast.province) == 1
        assert figure("plan_items_quality", "2024", cast.jiangyin) == 1
        assert figure("plan_items_red", "2024", cast.wuxi) == 1
        assert figure("plan_items_red", "2024", cast.yangzhou) == 0
        assert figure("checkpoints_on_time_rate", "2024Q2", cast.jiangyin) == 0
    assert item.notices.count() == 1
