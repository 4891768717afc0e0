from datetime import date
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from changai.supervision import services
from changai.worklists import services as worklists
from changai.worklists.tests.factories import plan_with_item


def on(day):
    return mock.patch("changai.worklists.services.today", return_value=day)


def plan_with_items(cast, count, *, year=2024, user=None):
    """A Jiangyin plan with `count` active items, numbered 1..count."""
    user = user or cast.users["jiangyin"]
    plan, first = plan_with_item(cast, cadence=(), year=year, user=user)
    items = [first]
    for n in range(2, count + 1):
        items.append(
            worklists.add_item(
                user,
                plan,
                number=str(n),
                title=f"第{n}项任务",
                pillar="quality",
                lead_unit=cast.zhutang,
                target="按期完成",
            )
        )
    return plan, items


def spot_check(cast, count=10, pct=30, seed=42, period="2024Q2"):
    plan, items = plan_with_items(cast, count)
    user = cast.users["jiangyin"]
    return services.draw_sample(user, plan, period, pct, user, seed=seed), items


def finding(cast):
    """A finding on the plan's first item, which the provincial HR department leads."""
    check, items = spot_check(cast, count=3, pct=100)
    return services.record_finding(cast.users["jiangyin"], check, items[0], "台账不全，佐证材料缺失", "general")


def brand(cast, *, lead=None, name="技能强企"):
    _, item = plan_with_item(cast, cadence=(), lead=lead)
    return services.promote_to_brand(cast.users["jiangyin"], item, name)


def meeting(cast, *, attendees=None, user=None, org=None, title="2024年产改联席会议第一次全体会议"):
    return services.create_meeting(
        user or cast.users["jiangyin"],
        org or cast.jiangyin,
        kind="joint",
        title=title,
        date=date(2024, 3, 15),
        attendees=attendees if attendees is not None else [cast.zhutang],
        minutes="听取各成员单位产改工作汇报，研究部署年度重点任务。",
    )


def query_count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)
