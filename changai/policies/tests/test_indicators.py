from datetime import datetime
from zoneinfo import ZoneInfo

from changai.core.periods import Period
from changai.indicators.registry import get_computed
from changai.policies import services
from changai.policies.models import Policy

from .factories import draft, published

SHANGHAI = ZoneInfo("Asia/Shanghai")


def figure(code, org, period):
    return get_computed(code).compute(Period.parse(period), [org])[org.pk]


def _published_on(policy, day):
    Policy.objects.filter(pk=policy.pk).update(published_at=datetime(*day, 10, tzinfo=SHANGHAI))


def test_policies_published_count_in_the_issuers_subtree(cast):
    _published_on(published(cast), (2025, 3, 10))
    _published_on(published(cast, user="sheng", issuer=cast.hrss, target_kinds=["county"]), (2025, 5, 1))
    draft(cast)  # a draft is never counted
    assert figure("policies_published", cast.jiangyin, "2025Q1") == 1
    assert figure("policies_published", cast.wuxi, "2025Q1") == 1
    assert figure("policies_published", cast.province, "2025") == 2
    assert figure("policies_published", cast.gaoyou, "2025") == 0
    assert figure("policies_published", cast.province, "2025Q2") == 1


def test_the_read_rate_counts_the_receipts_read_by_the_period_end(cast):
    policy = published(cast)
    _published_on(policy, (2025, 3, 10))
    assert figure("policy_read_rate", cast.jiangyin, "2025Q1") == 0
    services.mark_read(cast.users["qiye"], policy)
    policy.receipts.filter(read_at__isnull=False).update(read_at=datetime(2025, 3, 12, 9, tzinfo=SHANGHAI))
    assert str(figure("policy_read_rate", cast.jiangyin, "2025Q1")) == "50.0"
    assert str(figure("policy_read_rate", cast.province, "2025")) == "50.0"
    assert figure("policy_read_rate", cast.gaoyou, "2025") is None
