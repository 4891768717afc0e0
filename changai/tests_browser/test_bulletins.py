"""A county's item travels into the province's bulletin: sent up with an attachment, accepted into a draft with a
figures section, reviewed, signed off, downloaded as .docx in the official layout."""

import io
from datetime import date

import pytest
from docx import Document

from changai.bulletins import services
from changai.bulletins.models import Issue, Item
from changai.core.periods import Period
from changai.indicators import rollups
from changai.indicators.models import DataValue
from changai.indicators.tests.factories import indicator

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_county_item_reaches_a_signed_bulletin(page, live_server, live_cast, tmp_path):
    page.set_default_navigation_timeout(90_000)  # signing converts to PDF inline where LibreOffice is installed
    page.on("dialog", lambda dialog: dialog.accept())
    series = services.create_series(
        live_cast.users["sheng"],
        live_cast.province,
        name="产改专报",
        header="新时代江苏产业工人队伍建设改革联席会 专报",
        issuing_office="江苏省产改办",
        report_to="省委、省政府有关领导",
        copy_to="省产改联席会议各成员单位",
        start_year=date.today().year,
        issued_in_start_year=7,
        issued_before=37,
    )
    trained = indicator("bt_trained", "技能培训人次", unit="人次")
    quarter = Period.containing(date.today(), "quarter").previous()
    for org, period, value in [
        (live_cast.zhutang, quarter, 300),
        (live_cast.tangzhuang, quarter, 120),
        (live_cast.zhutang, quarter.previous(), 200),
    ]:
        DataValue.objects.create(indicator=trained, org=org, period=period.code, value=value, approved=True)
    rollups.refresh_all()

    # 江阴市 sends an item up, with a photo.
    login(page, live_server, "jiangyin", live_cast.password)
    page.goto("/bulletins/items/new/")
    page.get_by_label("投往专报").select_option(str(series.pk))
    page.get_by_label("标题").fill("江阴市推行技能等级与岗位津贴联动")
    page.get_by_label("正文").fill("江阴市总工会联合市人社局推动企业把技能等级与岗位津贴挂钩。")
    page.set_input_files(
        "#id_files", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n.."}]
    )
    page.get_by_role("button", name="提交投稿").click()
    assert page.locator("#item-status").inner_text().strip() == "待处理"
    item = Item.objects.get()
    assert item.files.count() == 1
    page.context.clear_cookies()

    # The province accepts it into a new draft, lightly edited, and adds a figures section.
    login(page, live_server, "sheng", live_cast.password)
    page.goto("/bulletins/items/?tab=incoming&status=submitted")
    page.get_by_role("link", name="江阴市推行技能等级与岗位津贴联动").click()
    page.get_by_label("标题").fill("江阴市：技能等级与岗位津贴联动")
    page.get_by_role("button", name="采用并编入").click()
    issue = Issue.objects.get()
    assert "（江阴市总工会）" in page.locator("#paper-info").inner_text()
    page.get_by_role("link", name="添加数据专栏").click()
    page.get_by_label("栏目标题").fill("全省技能培训数据")
    page.get_by_label("数据期间").select_option(quarter.code)
    page.get_by_label("技能培训人次（人次）").check()
    page.get_by_label("列出下级单位前几名").fill("3")
    page.get_by_role("button", name="保存").click()
    figures = page.locator(".paper-figures").inner_text()
    assert "420人次" in figures and "无锡市" in figures and "扬州市" in figures
    assert "目　　录" in page.locator("#paper-contents").inner_text()

    # Review and sign-off: numbered and frozen.
    page.get_by_role("button", name="提交审核").click()
    page.get_by_role("button", name="签发").click()
    assert page.locator("#issue-status").inner_text().strip() == "已签发"
    issue.refresh_from_db()
    label = f"{date.today().year}年第8期（总第38期）"
    assert issue.number_label == label and page.locator("#paper-number").inner_text() == label
    assert page.get_by_role("button", name="提交审核").count() == 0

    with page.expect_download() as download_info:
        page.locator("#download-docx").click()
    path = tmp_path / "bulletin.docx"
    download_info.value.save_as(path)
    data = path.read_bytes()
    assert data == issue.docx.open("rb").read()
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:3] == ["新时代江苏产业工人队伍建设改革联席会", "专报", label]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["工作信息", "全省技能培训数据"]
    assert "江阴市总工会联合市人社局推动企业把技能等级与岗位津贴挂钩。（江阴市总工会）" in paragraphs
    assert [c.text for c in document.tables[1].rows[1].cells] == ["1", "无锡市", "300"]
    page.context.clear_cookies()

    # The county sees where its item went.
    login(page, live_server, "jiangyin", live_cast.password)
    page.goto(f"/bulletins/items/{item.pk}/")
    assert f"已刊发于《产改专报》{label}" in page.locator("body").inner_text()
