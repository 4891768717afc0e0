"""An enterprise imports its workers' certificates, then runs a self-rating batch to the certificates."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from changai.certificates.models import Certificate, Level, RatingBatch, SelfRatingAuthorisation
from changai.workers.idgen import make_id_number
from changai.workers.models import Occupation
from changai.workers.services import register_worker

from .conftest import login

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_enterprise_imports_certificates_and_issues_a_rating_batch(page, live_server, live_cast):
    # Transactional tests flush what migrations seed: the occupations this test needs.
    lathe, _ = Occupation.objects.get_or_create(code="6-18-01-01", defaults={"name": "车工"})
    firm = live_cast.jiangyin_firm
    people = [
        register_worker(firm, name=name, id_number=make_id_number("320281", date(1988, 2, day), day), occupation=lathe)
        for day, name in ((3, "张建国"), (4, "李秀英"))
    ]
    SelfRatingAuthorisation.objects.create(
        enterprise=firm,
        occupation=lathe,
        max_level=Level.SENIOR,
        valid_from=date(2024, 1, 1),
        valid_to=date(2030, 12, 31),
    )
    numbers = [make_id_number("320281", date(1988, 2, day), day) for day in (3, 4)]
    sheet = _sheet(
        [
            ["2024年职工技能等级证书登记表"],
            ["姓名", "身份证号", "职业名称", "等级", "证书编号", "评价途径", "发证日期"],
            ["张建国", numbers[0], "车工", "中级工（四级）", "S2024-0001", "社会评价", "2024年3月1日"],
            ["李秀英", numbers[1], "车工", "四级", "S2024-0002", "职业技能鉴定", "2024.3.1"],
        ]
    )
    login(page, live_server, "qiye", live_cast.password)
    page.goto("/certificates/")
    expect(page.locator("main")).to_contain_text("还没有登记技能等级证书")
    page.get_by_role("link", name="批量导入证书").click()
    page.set_input_files("#id_file", files=[{"name": "证书.xlsx", "mimeType": XLSX, "buffer": sheet}])
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("main")).to_contain_text("导入完成")
    assert Certificate.objects.count() == 2

    page.goto("/certificates/batches/")
    page.get_by_role("link", name="新建评价批次").click()
    page.get_by_label("批次名称").fill("2024年车工自主评价")
    page.get_by_label("评价日期").fill("2024-06-10")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="添加考生").click()
    page.get_by_label("职业（工种）").select_option(str(lathe.pk))
    page.get_by_label("申报等级").select_option(str(Level.SENIOR))
    for person in people:
        page.get_by_label(f"{person.name}（{person.id_masked}）").check()
    page.get_by_role("button", name="添加为考生").click()
    expect(page.locator("#candidate-table")).to_contain_text("李秀英")

    batch = RatingBatch.objects.get()
    for candidate in batch.candidates.all():
        page.locator(f"#id_theory_{candidate.pk}").fill("86")
        page.locator(f"#id_practice_{candidate.pk}").fill("90")
    page.get_by_role("button", name="保存成绩").click()
    expect(page.locator("main")).to_contain_text("批量发证（2名合格考生）")
    page.get_by_label("发证日期").fill("2024-06-20")
    page.get_by_role("button", name="发放证书").click()
    expect(page.locator("main")).to_contain_text("已为2名合格考生发放证书")
    assert Certificate.objects.filter(batch=batch, level=Level.SENIOR).count() == 2

    page.goto(f"/certificates/workers/{people[0].pk}/")
    expect(page.locator("#highest-level")).to_contain_text("高级工")
