from types import SimpleNamespace

import pytest

from changai.indicators.models import Aggregation
from changai.indicators.tests.factories import indicator


@pytest.fixture
def catalogue(db):
    """A small reported catalogue of its own (other apps may turn seed indicators into computed ones)."""
    return SimpleNamespace(
        training=indicator("n_training_times", "职工技能培训人次", unit="人次"),
        classes=indicator("n_training_classes", "职工技能培训班期数", unit="期"),
        homes=indicator("n_worker_homes", "职工之家数", unit="个"),
        patents=indicator("n_patents", "职工获授权专利数", unit="项"),
        funds=indicator("n_assistance", "帮扶慰问资金", unit="万元", integer_only=False),
        lectures=indicator("n_lecture_audience", "宣讲活动受众人次", unit="人次"),
        rate=indicator("n_rate", "培训覆盖率", unit="%", aggregation=Aggregation.RATIO, integer_only=False),
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
