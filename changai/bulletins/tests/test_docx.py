"""The .docx in the official document layout (GB/T 9704): page, header, contents, headings, fonts, imprint."""

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from changai.bulletins import render, services
from changai.bulletins.models import Article

from .conftest import SIGNED_ON, item_from, lead


def east_asia(element) -> str:
    return element.rPr.rFonts.get(qn("w:eastAsia"))


@pytest.fixture
def issue(cast, series, figures):
    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series)
    lead(sheng, issue)
    services.accept_item(sheng, item_from(cast, series), issue)
    services.accept_item(
        sheng, item_from(cast, series, "zhutang", title="祝塘镇建成三级服务网络", body="建成网络。"), issue
    )
    services.add_article(
        sheng,
        issue,
        Article.Kind.FIGURES,
        title="全省产改主要数据",
        period="2024Q2",
        indicator_codes=["bt_trained"],
        top_n=5,
    )
    services.submit_for_review(sheng, issue)
    return services.sign_off(sheng, issue, on=SIGNED_ON)


@pytest.fixture
def document(issue):
    issue.refresh_from_db()
    return Document(io.BytesIO(issue.docx.open("rb").read()))


def texts(document, style=None):
    return [p.text for p in document.paragraphs if style is None or p.style.name == style]


def test_the_page_is_a4_with_the_standard_margins_and_page_numbers_outside(document):
    [section] = document.sections
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]  # a 156 × 225 mm type area
    assert round((section.page_width - section.left_margin - section.right_margin) / 36000) == 156  # EMU per mm
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer in (odd, even):
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        assert "PAGE" in "".join(node.text for node in footer._p.iter(qn("w:instrText")))
    assert (odd.alignment, even.alignment) == (2, 0)  # right on odd pages, left on even ones


def test_the_header_is_red_over_a_red_rule_with_number_office_and_date(document):
    paragraphs = document.paragraphs
    org, name, number, office = paragraphs[0], paragraphs[1], paragraphs[2], paragraphs[3]
    assert org.text == "新时代江苏产业工人队伍建设改革联席会" and name.text == "专报"
    for line in (org, name):
        assert line.runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
        assert east_asia(line.runs[0]._r) == "方正小标宋简体"
    assert number.text == "2024年第8期（总第38期）"
    assert office.text == "江苏省产改办编\t2024年6月24日"
    rule = office._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    assert "草稿" not in document.paragraphs[0].text


def test_the_contents_list_follows_the_articles(document):
    all_texts = texts(document)
    start = all_texts.index("目　　录")
    assert all_texts[start + 1 : start + 6] == [
        "以项目化清单推动产改落地",
        "工作信息",
        "高邮市开展技能比武",
        "祝塘镇建成三级服务网络",
        "全省产改主要数据",
    ]


def test_headings_follow_the_layout_levels(document):
    assert texts(document, "Heading 1") == ["以项目化清单推动产改落地", "工作信息", "全省产改主要数据"]
    assert texts(document, "Heading 2") == [
        "一、清单化部署",
        "高邮市开展技能比武",
        "祝塘镇建成三级服务网络",
        "一、技能培训人次（人次）",
    ]
    assert texts(document, "Heading 3") == ["（一）月调度"]
    assert "——江阴市总工会" in texts(document)


def test_the_fonts_are_named_with_installed_fallbacks(document):
    styles = document.styles
    assert (east_asia(styles["Normal"].element), styles["Normal"].font.size) == ("仿宋_GB2312", Pt(16))
    assert (east_asia(styles["Heading 1"].element), styles["Heading 1"].font.size) == ("方正小标宋简体", Pt(22))
    assert east_asia(styles["Heading 2"].element) == "黑体"
    assert east_asia(styles["Heading 3"].element) == "楷体_GB2312"
    assert styles["Normal"].element.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman"
    assert styles["Heading 1"].font.color.rgb == RGBColor(0, 0, 0)
    fonts = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml").blob
    for named, fallback in render.FALLBACKS.items():
        assert f'w:name="{named}"><w:altName w:val="{fallback[0]}"/>'.encode() in fonts


def test_work_items_end_with_their_source(document):
    body = texts(document, render.BODY_STYLE)
    assert "高邮市总工会组织技能比武。（高邮市总工会）" in body
    assert "建成网络。（祝塘镇总工会）" in body


def test_the_figures_section_has_a_change_table_and_the_top_child_orgs(document):
    change, top = document.tables
    assert [c.text for c in change.rows[0].cells] == ["本期", "上期", "环比", "上年同期", "同比"]
    assert [c.text for c in change.rows[1].cells] == [
        "1,250人次",
        "100人次",
        "+1,150人次（+1,150%）",
        "80人次",
        "+1,170人次（+1,462.5%）",
    ]
    assert [[c.text for c in row.cells] for row in top.rows] == [
        ["名次", "单位", "技能培训人次（人次）"],
        ["1", "无锡市", "1,200"],
        ["2", "扬州市", "50"],
    ]
    sentence = (
        "2024年第2季度，江苏省技能培训人次1,250人次，比上期增加1,150人次，增长1,150%；"
        "比上年同期增加1,170人次，增长1,462.5%。"
    )
    assert sentence in texts(document)


def test_the_imprint_carries_the_distribution_lines_and_the_printing_office(document):
    all_texts = texts(document)
    assert all_texts[-3:] == [
        "报：省委、省政府有关领导",
        "送：省产改联席会议各成员单位",
        "江苏省产改办\t2024年6月24日印发",
    ]


def test_a_draft_renders_on_demand_marked_as_a_draft(cast, series):
    sheng = cast.users["sheng"]
    draft = services.create_issue(sheng, series)
    lead(sheng, draft)
    document = Document(io.BytesIO(render.render_docx(draft)))
    assert document.paragraphs[0].text == "草稿（未签发，仅供审核）"
    assert "（签发时编号）" in texts(document)
