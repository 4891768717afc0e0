"""Importing a plan's items from a workbook, end to end through the plan's import page and the commit."""

import io
from datetime import date
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changai.core.import_services import commit, upload
from changai.core.imports import build_template, get_importer
from changai.core.models import ImportBatch
from changai.worklists.models import PlanItem
from changai.worklists.tests.factories import plan_with_item

HEADER = [
    "序号",
    "任务",
    "所属板块",
    "牵头单位",
    "配合单位",
    "目标",
    "量化目标值",
    "开始日期",
    "完成时限",
    "佐证材料要求",
]


@pytest.fixture(autouse=True)
def early_2024():
    with mock.patch("changai.worklists.services.today", return_value=date(2024, 1, 15)):
        yield


def xlsx(rows, name="任务清单.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def import_page(client, cast, plan, file, user="jiangyin"):
    client.force_login(cast.users[user])
    response = client.post(reverse("worklists:plan_import", kwargs={"plan_pk": plan.pk}), {"file": file})
    assert response.status_code == 302, response.content.decode()
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("imports:detail", kwargs={"batch_pk": batch.pk})
    return batch


def test_it_adds_new_items_and_updates_existing_ones_by_number(cast, client):
    plan, first = plan_with_item(cast, cadence=("quarterly",))
    rows = [
        HEADER,
        [
            "1",
            "推进技能等级认定（扩面）",
            "素质提升",
            "省人力资源社会保障厅",
            "",
            "新增高级工以上300人",
            300,
            "",
            "2024-12-31",
            "",
        ],
        [
            2.0,
            "建设职工之家",
            "权益维护",
            "祝塘镇",
            "MU-320000-hr，江阴市",
            "新建10家",
            "",
            "",
            "2024年9月30日",
            "挂牌照片",
        ],
    ]
    batch = import_page(client, cast, plan, xlsx(rows))
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts == {"created": 1, "updated": 1, "unchanged": 0}
    assert PlanItem.objects.count() == 1  # nothing is written before the commit
    batch = commit(cast.users["jiangyin"], batch)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    first.refresh_from_db()
    assert first.title == "推进技能等级认定（扩面）" and first.target_value == 300
    assert first.events.filter(kind="edited").exists()
    second = plan.items.get(number="2")
    assert second.lead_unit == cast.zhutang and second.deadline == date(2024, 9, 30)
    assert set(second.supporting_units.all()) == {cast.hrss, cast.jiangyin}
    assert second.starts_on == date(2024, 1, 1) and second.checkpoints.count() == 3


def test_one_bad_row_writes_nothing_and_names_the_row_and_column(cast, client):
    plan, _ = plan_with_item(cast)
    rows = [
        HEADER,
        ["2", "建设职工之家", "权益维护", "祝塘镇", "", "新建10家", "", "", "2024-09-30", ""],
        ["3", "开展劳动竞赛", "素质提升", "高邮市", "", "举办5场", "", "", "2024-10-31", ""],
        ["4", "培育工匠", "素质提升", "江阴市", "", "培育20名", "", "2024-06-01", "2024-05-01", ""],
    ]
    batch = import_page(client, cast, plan, xlsx(rows))
    assert batch.status == ImportBatch.Status.INVALID
    errors = {(error["row"], error["header"]) for error in batch.errors}
    assert errors == {(3, "牵头单位"), (4, "完成时限")}
    assert "“高邮市”不是本计划可选的单位" in batch.errors[0]["message"]
    assert plan.items.count() == 1
    detail = client.get(reverse("imports:detail", kwargs={"batch_pk": batch.pk})).content.decode()
    assert "高邮市" in detail and "未写入任何数据" in detail


def test_duplicate_numbers_and_bad_cells_are_reported_together(cast, client):
    plan, _ = plan_with_item(cast)
    rows = [
        HEADER,
        ["2", "建设职工之家", "权益维护", "祝塘镇", "", "新建10家", "", "", "2024-09-30", ""],
        ["2", "再建职工之家", "维权", "祝塘镇", "不存在的单位", "新建5家", "十个", "", "", ""],
    ]
    batch = import_page(client, cast, plan, xlsx(rows))
    messages = {error["header"]: error["message"] for error in batch.errors if error["row"] == 3}
    assert messages["序号"] == "与第2行重复"
    assert "不是可选值" in messages["所属板块"] and "不是数字" in messages["量化目标值"]
    assert messages["完成时限"] == "必填，不能为空" and "不存在的单位" in messages["配合单位"]


def test_an_office_outside_the_plan_cannot_import_into_it(cast, client):
    plan, _ = plan_with_item(cast)
    client.force_login(cast.users["zhutang"])
    assert client.get(reverse("worklists:plan_import", kwargs={"plan_pk": plan.pk})).status_code == 404
    rows = [HEADER, ["2", "建设职工之家", "权益维护", "祝塘镇", "", "新建10家", "", "", "2024-09-30", ""]]
    # Even through the generic import pages, with the key typed in by hand.
    batch = upload(cast.users["zhutang"], f"plan:{plan.pk}", xlsx(rows))
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[0]["message"] == "您无权向该工作计划导入任务。" and plan.items.count() == 1


def test_the_export_imports_back_unchanged(cast, client):
    plan, item = plan_with_item(cast, target_value=200, evidence_required="认定名单")
    item.supporting_units.add(cast.zhutang)
    client.force_login(cast.users["jiangyin"])
    export = client.get(reverse("worklists:plan_detail", kwargs={"plan_pk": plan.pk}), {"export": "xlsx"})
    file = SimpleUploadedFile("导出.xlsx", export.content)
    batch = import_page(client, cast, plan, file)
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts == {"created": 0, "updated": 0, "unchanged": 1}


def test_the_template_offers_the_pillars_and_unknown_plans_are_refused(cast):
    plan, _ = plan_with_item(cast)
    importer = get_importer(f"plan:{plan.pk}")
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(importer)))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:4] == ["*序号", "*任务", "*所属板块", "*牵头单位"]
    assert any("政治引领" in str(v.formula1) for v in sheet.data_validations.dataValidation)
    for key in ("plan:987654", "plan:abc", "plan:"):
        with pytest.raises(KeyError):
            get_importer(key)
