from datetime import date

from changai.certificates.models import Certificate, Level, Route
from changai.core.periods import Period
from changai.indicators.registry import get_computed
from changai.workers import services
from changai.workers.models import Occupation
from changai.workers.tests.factories import worker_at


def figure(code, org, period="2024"):
    return get_computed(code).compute(Period.parse(period), [org])[org.pk]


def certificate(worker, level, issued_on, expires_on=None, number="C1"):
    return Certificate.objects.create(
        worker=worker,
        occupation=Occupation.objects.get(name="车工"),
        level=level,
        number=number,
        route=Route.SOCIAL,
        issued_on=issued_on,
        expires_on=expires_on,
    )


def test_workers_frontline_and_high_skill_at_the_period_end(cast):
    senior = worker_at(cast.jiangyin_firm, "高级工", hired_on=date(2015, 1, 1))
    expired = worker_at(cast.jiangyin_firm, "证书过期", hired_on=date(2015, 1, 1), frontline=False)
    junior = worker_at(cast.jiangyin_firm, "中级工", hired_on=date(2015, 1, 1))
    worker_at(cast.jiangyin_firm, "明年入职", hired_on=date(2025, 3, 1))
    leaver = worker_at(cast.jiangyin_firm, "年中离职", hired_on=date(2015, 1, 1))
    worker_at(cast.gaoyou_firm, "高邮职工", hired_on=date(2015, 1, 1))
    certificate(senior, Level.SENIOR, date(2020, 1, 1), number="C1")
    certificate(senior, Level.TECHNICIAN, date(2025, 1, 1), number="C2")  # after 2024: not counted yet
    certificate(expired, Level.TECHNICIAN, date(2018, 1, 1), expires_on=date(2024, 6, 30), number="C3")
    certificate(junior, Level.INTERMEDIATE, date(2019, 1, 1), number="C4")
    certificate(leaver, Level.SENIOR, date(2019, 1, 1), number="C5")
    services.leave_worker(leaver, date(2024, 6, 30))
    assert figure("workers", cast.jiangyin) == 3
    assert figure("workers", cast.province) == 4
    assert figure("workers_frontline", cast.jiangyin) == 2
    assert figure("workers_high_skill", cast.jiangyin) == 1
    assert str(figure("workers_high_skill_share", cast.jiangyin)) == "33.3"
    assert figure("workers", cast.jiangyin, "2024M03") == 4  # the leaver was still there in March
    assert figure("workers_high_skill", cast.jiangyin, "2024M03") == 3
    assert figure("workers_high_skill_share", cast.hrss) is None
