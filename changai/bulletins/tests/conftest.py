"""Bulletin fixtures: the province's series, figures rolled up for two towns, and helpers to build issues."""

from dataclasses import dataclass
from datetime import date

import pytest

from changai.bulletins import services
from changai.bulletins.models import Article, Issue, Series
from changai.indicators import rollups
from changai.indicators.models import Aggregation, DataValue, Indicator
from changai.indicators.tests.factories import indicator

SIGNED_ON = date(2024, 6, 24)
HEADER = "新时代江苏产业工人队伍建设改革联席会 专报"


@dataclass
class Figures:
    trained: Indicator
    homes: Indicator


def approved(item, org, period, value):
    return DataValue.objects.create(indicator=item, org=org, period=period, value=value, approved=True)


@pytest.fixture
def figures(cast) -> Figures:
    """Approved quarterly values in 祝塘镇 (无锡) and 汤庄镇 (扬州), rolled up the tree."""
    trained = indicator("bt_trained", "技能培训人次", unit="人次")
    homes = indicator("bt_homes", "职工之家数", unit="个", aggregation=Aggregation.LATEST)
    approved(trained, cast.zhutang, "2023Q2", 80)
    approved(trained, cast.zhutang, "2024Q1", 100)
    approved(trained, cast.zhutang, "2024Q2", 1200)
    approved(trained, cast.tangzhuang, "2024Q2", 50)
    approved(homes, cast.zhutang, "2024Q2", 4)
    rollups.refresh_all()
    return Figures(trained, homes)


@pytest.fixture
def series(cast) -> Series:
    return services.create_series(
        cast.users["sheng"],
        cast.province,
        name="产改专报",
        header=HEADER,
        issuing_office="江苏省产改办",
        report_to="省委、省政府有关领导",
        copy_to="省产改联席会议各成员单位",
        start_year=2024,
        issued_in_start_year=7,
        issued_before=37,
    )


def lead(user, issue, title="以项目化清单推动产改落地", author="江阴市总工会", body=None) -> Article:
    body = body or "一、清单化部署\n年初梳理重点项目，逐项明确牵头单位。\n（一）月调度\n每月调度一次进度。"
    return services.add_article(user, issue, Article.Kind.LEAD, title=title, author=author, body=body)


def item_from(cast, series, username="gaoyou", org=None, title="高邮市开展技能比武", body="高邮市总工会组织技能比武。"):
    org = org or getattr(cast, username)
    return services.submit_item(cast.users[username], org, series, title=title, body=body)


def signed(cast, series, on=SIGNED_ON, **kwargs) -> Issue:
    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series, **kwargs)
    lead(sheng, issue)
    services.submit_for_review(sheng, issue)
    return services.sign_off(sheng, issue, on=on)
