"""Pilot projects run through the work-plan cadence engine."""

from datetime import date
from unittest import mock

import pytest

from changai.pilots import services
from changai.pilots.models import PilotProject
from changai.pilots.tests.factories import running
from changai.worklists import services as worklists
from changai.worklists.models import Light


@pytest.fixture
def running_pilot(cast):
    return running(cast)


def test_a_pilot_project_gets_a_tracked_item_with_checkpoints(cast, running_pilot):
    with mock.patch("changai.worklists.services.today", return_value=date(2026, 1, 5)):
        project = services.add_project(
            cast.users["jiangyin"],
            running_pilot,
            title="建设技能大师工作室",
            pillar="quality",
            target="建成1个",
            start_date=date(2026, 1, 1),
            deadline=date(2026, 12, 31),
        )
    item = project.plan_item
    assert item.lead_unit == running_pilot.org and item.plan.title == worklists.TRACKED_PLAN_TITLE
    assert item.checkpoints.count() == 12 + 2 + 1

    with mock.patch("changai.worklists.services.today", return_value=date(2026, 2, 2)):
        worklists.submit_progress(cast.users["qiye"], item, percent=20, narrative="完成场地改造")
    assert PilotProject.objects.get(pk=project.pk).progress == 20

    with mock.patch("changai.worklists.services.today", return_value=date(2026, 3, 10)):
        worklists.supervise()
    item.refresh_from_db()
    assert item.light == Light.RED and item.notices.exists()  # February's dispatch was missed


def test_editing_the_project_moves_its_item(cast, running_pilot):
    with mock.patch("changai.worklists.services.today", return_value=date(2026, 1, 5)):
        project = services.add_project(
            cast.users["jiangyin"],
            running_pilot,
            title="开展师带徒",
            pillar="quality",
            target="结对20对",
            start_date=date(2026, 1, 1),
            deadline=date(2026, 12, 31),
        )
        services.update_project(cast.users["jiangyin"], project, deadline=date(2026, 6, 30))
    project.plan_item.refresh_from_db()
    assert project.plan_item.deadline == date(2026, 6, 30) and project.plan_item.checkpoints.count() == 6 + 1 + 1
