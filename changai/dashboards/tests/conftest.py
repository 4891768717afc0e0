"""Figures for the dashboard suites: a town quarterly form, approved values in two towns, rolled up."""

from dataclasses import dataclass
from datetime import date
from unittest import mock

import pytest

from changai.indicators import rollups
from changai.indicators.models import Aggregation, DataValue, Indicator
from changai.indicators.registry import sync_catalogue
from changai.indicators.tests.factories import indicator, quarterly_form

TODAY = date(2026, 11, 21)  # in 2026Q4, before its reporting window opens: the current round is 2026Q3


@dataclass
class Figures:
    trained: Indicator
    homes: Indicator
    enterprises: Indicator
    dataset: object


@pytest.fixture(autouse=True)
def frozen_today():
    with (
        mock.patch("changai.dashboards.services.today", return_value=TODAY),
        mock.patch("changai.indicators.services.today", return_value=TODAY),
    ):
        yield


def approved(item, org, period, value):
    return DataValue.objects.create(indicator=item, org=org, period=period, value=value, approved=True)


@pytest.fixture
def figures(cast) -> Figures:
    sync_catalogue()
    trained = indicator("training_person_times", "培训人次", unit="人次")
    homes = indicator("worker_homes", "职工之家数", unit="个", aggregation=Aggregation.LATEST)
    dataset = quarterly_form(trained, homes, kinds=("town",), code="town_quarterly", name="乡镇产改季报")
    approved(trained, cast.zhutang, "2025Q3", 60)
    approved(trained, cast.zhutang, "2026Q2", 100)
    approved(trained, cast.zhutang, "2026Q3", 120)
    approved(trained, cast.tangzhuang, "2026Q3", 50)
    approved(homes, cast.zhutang, "2026Q3", 4)
    DataValue.objects.create(indicator=trained, org=cast.zhutang, period="2026Q4", value=999, approved=False)
    rollups.refresh_all()
    return Figures(trained, homes, Indicator.objects.get(code="enterprises"), dataset)
