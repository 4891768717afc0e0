"""The extractor on sentences written for these tests (never on the sample reports)."""

from decimal import Decimal

import pytest

from changai.narratives.extraction import (
    ABOUT,
    EXACT,
    NEARLY,
    OVER,
    UNDER,
    IndicatorHint,
    chinese_to_int,
    document_author,
    extract,
    normalise,
)


def figures(text):
    return [(f.figure, f.unit) for f in extract(text)]


def only(text):
    facts = extract(text)
    assert len(facts) == 1, [(f.figure, f.unit, f.quote) for f in facts]
    return facts[0]


@pytest.mark.parametrize(
    "text,value",
    [
        ("一", 1),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("一百零五", 105),
        ("三千五百", 3500),
        ("一万二千", 12000),
        ("两万", 20000),
        ("万", 10000),
        ("一亿二千万", 120000000),
        ("百", 100),
    ],
)
def test_it_reads_chinese_numerals(text, value):
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("text", ["五一", "三六一", "十四五", "二〇二四", "十百"])
def test_it_refuses_digit_strings_that_are_names_or_years(text):
    assert chinese_to_int(text) is None


def test_normalising_keeps_every_offset():
    text = "共建成１２０家，占比９８．５％（暂定）"
    assert len(normalise(text)) == len(text)
    assert normalise(text).endswith("98.5%(暂定)")


# ---------------------------------------------------------------------------- numbers and units


@pytest.mark.parametrize(
    "text,figure,unit",
    [
        ("今年新建职工之家25个。", "25", "个"),
        ("全年培训职工1,280人。", "1280", "人"),
        ("帮扶资金共计1,234.5万元。", "1234.5", "万元"),
        ("吸纳会员１２０名。", "120", "名"),
        ("覆盖职工3.2万人。", "32000", "人"),
        ("参训职工累计达5.6万人次。", "56000", "人次"),
        ("筹集资金1.5亿元。", "1.5", "亿元"),
        ("发放慰问金八十万元。", "80", "万元"),
        ("惠及职工一万二千人。", "12000", "人"),
        ("走访困难职工两千余户。", "2000", "户"),
        ("举办专场招聘会三场。", "3", "场"),
        ("该镇共有两家企业获评示范单位。", "2", "家"),
        ("技能等级认定合格率为96.8%。", "96.8", "%"),
        ("一线职工占比达到百分之三十。", "30", "%"),
        ("工资增幅提高2.5个百分点。", "2.5", "个百分点"),
        ("新建骑手之家3处。", "3", "处"),
        ("组织师徒结对160对。", "160", "对"),
        ("开设课程12门。", "12", "门"),
        ("人均增收1200元。", "1200", "元"),
        ("建成实训基地面积1.2万平方米。", "12000", "平方米"),
        ("累计服务时长3000小时。", "3000", "小时"),
    ],
)
def test_it_reads_the_value_and_unit(text, figure, unit):
    fact = only(text)
    assert (fact.figure, fact.unit) == (figure, unit)


def test_money_keeps_wan_in_the_unit_and_counts_absorb_it():
    assert figures("投入资金300余万元，服务职工4.5万余人次。") == [("300", "万元"), ("45000", "人次")]


@pytest.mark.parametrize(
    "text,low,high,unit",
    [
        ("每家企业配备3-5名指导员。", "3", "5", "名"),
        ("每年组织三至五场宣讲。", "3", "5", "场"),
        ("每次培训安排2到3天。", "2", "3", "天"),
        ("预计新增岗位1万至2万个。", "10000", "20000", "个"),
        ("每个园区建设2家至4家服务站点。", "2", "4", "家"),
    ],
)
def test_it_reads_ranges(text, low, high, unit):
    fact = only(text)
    assert (fact.value, fact.value_max, fact.unit) == (Decimal(low), Decimal(high), unit)
    assert fact.figure == f"{low}-{high}"


# ---------------------------------------------------------------------------- qualifiers


@pytest.mark.parametrize(
    "text,qualifier",
    [
        ("参与职工3000多人。", OVER),
        ("参与职工3000余人。", OVER),
        ("参与职工超过3000人。", OVER),
        ("参与职工超3000人。", OVER),
        ("参与职工逾3000人。", OVER),
        ("参与职工3000人以上。", OVER),
        ("参与职工百余人。", OVER),
        ("参与职工上千名。", OVER),
        ("参与职工约3000人。", ABOUT),
        ("参与职工3000人左右。", ABOUT),
        ("参与职工近3000人。", NEARLY),
        ("参与职工将近3000人。", NEARLY),
        ("参与职工不到3000人。", UNDER),
        ("参与职工不足3000人。", UNDER),
        ("参与职工达3000人。", EXACT),
        ("参与职工累计3000人。", EXACT),
        ("签约3000人。", EXACT),
        ("附近3家企业参加。", EXACT),
    ],
)
def test_it_reads_the_qualifier(text, qualifier):
    assert only(text).qualifier == qualifier


def test_a_qualifier_before_the_number_is_part_of_the_figure():
    text = "参与职工超过3000人。"
    fact = only(text)
    assert text[fact.start : fact.end] == "超过3000人"


# ---------------------------------------------------------------------------- what is not a fact


@pytest.mark.parametrize(
    "text",
    [
        "深入开展“四心行动”，持续推进“三大工程”。",
        "认真学习宣传贯彻党的二十大精神。",
        "推荐评选五一劳动奖章。",
        "“十四五”期间，加强一线职工队伍建设。",
        "推行一对一帮扶和一站式服务。",
        "2024年6月，召开推进会。",
        "6月1日起施行。",
        "本刊2024年第8期（总第38期）。",
        "一是强化引领；二是完善机制；第一，健全制度。",
        "（一）完善机制。1. 健全制度。",
        "0~3岁婴幼儿托育服务。",
        "35岁以下青年职工。",
        "组建一支精干的指导员队伍，每周开展一次交流。",
        "实现二次创业，建设二期工程。",
        "建立三级服务网络，举办一类竞赛，获得二等奖。",
        "省十项职工创新成果评选。",
        "开展万人助万企活动，实施百名劳模进企业行动。",
        "覆盖5G基站，推行“2+3”产业体系和“1+N”考评制度。",
        "数十家企业参与，几百名职工受益。",
        "获得前三名。",
        "开通24小时服务热线，承诺3个工作日内办结。",
        "增强“四个意识”，做到两个维护。",
        "落实中央八项规定精神，推进三个一批工程。",
        "这件事十分重要，三分之一靠制度。",
        "早上8时30分开始。",
        "实现全省项目零的突破。",
    ],
)
def test_it_skips_names_dates_ordinals_and_articles(text):
    assert figures(text) == []


def test_it_finds_a_count_right_after_a_quoted_name():
    assert figures("明确“三抓三促”四项措施和60项任务。") == [("4", "项"), ("60", "项")]


def test_a_count_may_follow_a_level_scope_word():
    assert figures("全市三家企业获评示范单位。") == [("3", "家")]


def test_a_long_quotation_is_read_like_any_sentence():
    text = "他说：“今年我们为一线职工办了实事，全年组织体检服务职工1800人，大家都很满意。”"
    assert figures(text) == [("1800", "人")]


def test_lists_give_one_fact_per_item():
    text = "新建基层工会12家、联合工会3家、工会联合会1家，发展会员2600多人。"
    assert figures(text) == [("12", "家"), ("3", "家"), ("1", "家"), ("2600", "人")]


# ---------------------------------------------------------------------------- context


def test_the_quote_is_the_clause_around_the_figure():
    text = "今年以来，我县举办劳动竞赛26场，参赛职工4200人次。"
    first, second = extract(text)
    assert first.quote == "今年以来，我县举办劳动竞赛26场"
    assert second.quote == "我县举办劳动竞赛26场，参赛职工4200人次"
    assert text[second.quote_start : second.quote_end] == second.quote


def test_a_short_clause_takes_the_clause_before_it():
    fact = extract("参加代表大会的代表共120名，其中一线工人代表45名，占比37.5%。")[-1]
    assert fact.quote == "其中一线工人代表45名，占比37.5%"


@pytest.mark.parametrize(
    "text,period",
    [
        ("今年以来，全区新建职工之家15个。", "今年以来"),
        ("三年来，累计培训职工2万人次。", "三年来"),
        ("2023年以来，共签订集体合同320份。", "2023年以来"),
        ("去年，共受理法律援助案件45个。", "去年"),
        ("近年来，先后命名示范企业12家。", "近年来"),
        ("新建职工之家15个。", ""),
    ],
)
def test_it_reads_the_period_phrase(text, period):
    assert only(text).period == period


def test_a_period_opening_the_paragraph_covers_its_later_sentences():
    text = "今年以来，工会扎实推进各项工作。举办培训班12期。\n另起一段，新建驿站3个。"
    first, second = extract(text)
    assert (first.period, second.period) == ("今年以来", "")


def test_a_period_inside_a_document_title_is_not_the_facts_period():
    assert only("印发《2023年工作要点》，明确任务36项。").period == ""


def test_the_subject_is_the_nearest_org_named_before_the_figure():
    text = "南通市海门区总工会坚持服务职工。今年，三厂街道新建职工之家8个，江海机械有限公司培训职工300人次。"
    first, second = extract(text)
    assert first.subject == "三厂街道"
    assert second.subject == "江海机械有限公司"


def test_without_an_org_in_the_sentence_the_subject_is_the_author():
    facts = extract("今年我们组织体检1200人。", author="宿迁市宿城区总工会")
    assert facts[0].subject == "宿迁市宿城区总工会"


def test_scope_words_are_subjects():
    assert only("全市新建户外劳动者服务站46个。").subject == "全市"


def test_the_document_author_is_the_first_named_union():
    assert document_author("# 标题\n\n常州市武进区总工会 张某\n\n正文。") == "常州市武进区总工会"


# ---------------------------------------------------------------------------- indicator suggestion

CATALOGUE = [
    IndicatorHint("training_person_times", "职工技能培训人次", "人次", keywords=("培训", "参训")),
    IndicatorHint("training_sessions", "职工技能培训期数", "期", keywords=("培训班", "培训")),
    IndicatorHint("patents_granted", "职工获授权专利数", "项", keywords=("专利",)),
    IndicatorHint("innovation_results", "职工创新成果数", "项", keywords=("创新成果", "操作法")),
    IndicatorHint("assistance_funds", "帮扶慰问资金", "万元", keywords=("帮扶", "慰问")),
    IndicatorHint("worker_homes", "职工之家数", "个"),
]


def suggest(text):
    return [f.indicator for f in extract(text, CATALOGUE)]


def test_it_suggests_the_indicator_whose_words_stand_next_to_the_figure():
    assert suggest("取得专利15项，形成创新成果32项。") == ["patents_granted", "innovation_results"]


def test_the_unit_must_fit_the_indicator():
    assert suggest("举办培训班8期，培训职工1500人次。") == ["training_sessions", "training_person_times"]


def test_money_in_yuan_may_go_to_a_wan_yuan_indicator():
    assert suggest("发放帮扶慰问资金35.6万元。") == ["assistance_funds"]


def test_an_indicator_without_keywords_is_matched_by_its_name():
    assert suggest("新建职工之家6个。") == ["worker_homes"]


def test_no_suggestion_when_nothing_fits():
    assert suggest("命名试点单位32家。") == [None]


def test_it_needs_no_catalogue():
    assert suggest("取得专利15项。") == ["patents_granted"]
    assert [f.indicator for f in extract("取得专利15项。")] == [None]


def test_json_shape():
    fact = extract("今年以来，常州市总工会组织宣讲3-5场，覆盖职工2000余人。")[1]
    assert fact.as_json() == {
        "quote": "常州市总工会组织宣讲3-5场，覆盖职工2000余人",
        "value": 2000,
        "unit": "人",
        "qualifier": "over",
        "period": "今年以来",
        "subject": "常州市总工会",
        "indicator": None,
    }
    assert extract("组织宣讲3-5场。")[0].as_json()["value"] == [3, 5]
    assert extract("占比37.5%。")[0].as_json()["value"] == 37.5
