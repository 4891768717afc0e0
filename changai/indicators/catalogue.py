"""The seed catalogue: the figures the reform's bulletins keep quoting, and the default report forms.

Every indicator here is *reported* by a lower level (towns, parks, counties). Figures the platform can
count from its own records (enterprises with a union, pilot enterprises, staff by role…) are registered
in the apps' `indicators.py` through `changai.indicators.registry` and are deliberately not repeated here.

Conventions for offices editing the catalogue:

- `sum` is for flows counted within the period (本期…); `latest` is for stocks at the period's end
  (截至期末…): added across organisations, the last sub-period's value over time.
- A `ratio` is never typed in: it is numerator ÷ denominator × 100, each part rolled up first, so the
  ratios are not placed on any form.
- The three default forms ask for disjoint sets of indicators, so that a county's own figure never
  doubles a figure its towns already report, and a monthly figure never doubles a yearly one.

`ensure_catalogue()` only adds what is missing; it never overwrites an office's edits.
"""

from __future__ import annotations

from django.db import transaction

from .models import Aggregation, DataSet, DataSetIndicator, Indicator, Pillar, Source, Unit, ValidationRule

SUM, LATEST, RATIO = Aggregation.SUM.value, Aggregation.LATEST.value, Aggregation.RATIO.value


def _ind(code, name, unit, aggregation, description, *, integer_only=True, **extra):
    return {
        "code": code,
        "name": name,
        "unit": Unit(unit).value,
        "aggregation": aggregation,
        "integer_only": integer_only,
        "description": description,
        **extra,
    }


def _ratio(code, name, numerator, denominator, description):
    return _ind(code, name, "%", RATIO, description, integer_only=False, numerator=numerator, denominator=denominator)


_POLITICAL = [
    _ind("party_members_recruited", "发展一线工人党员数", "人", SUM, "本期新发展为中共预备党员的一线产业工人人数。"),
    _ind(
        "workshop_party_branches",
        "新建车间班组党组织数",
        "个",
        SUM,
        "本期在车间、班组、工程项目、服务窗口等生产一线新建立的党支部（党小组）个数。",
    ),
    _ind(
        "lectures_held",
        "宣讲活动场次",
        "场",
        SUM,
        "本期面向产业工人开展的思想政治宣讲（进车间、进班组、进工地、进园区）活动场次。",
    ),
    _ind(
        "lecture_audience",
        "宣讲活动受众人次",
        "人次",
        SUM,
        "本期参加宣讲活动的职工人次，含线上收听收看，同一人参加多场按场累计。",
    ),
    _ind(
        "culture_events_held",
        "职工文化活动场次",
        "场",
        SUM,
        "本期为产业工人举办的文化惠民演出、读书诵读、主题展示等群众性文化活动场次。",
    ),
    _ind(
        "culture_event_audience",
        "职工文化活动参与人次",
        "人次",
        SUM,
        "本期参加或观看职工文化活动的人次，同一人参加多场按场累计。",
    ),
    _ind("unions_formed", "新建工会组织数", "个", SUM, "本期新建立的基层工会组织个数，含联合基层工会和工会联合会。"),
    _ind(
        "union_members_recruited",
        "新发展工会会员数",
        "人",
        SUM,
        "本期新加入工会的职工人数，含快递员、骑手、货车司机等新就业形态劳动者。",
    ),
    _ind(
        "unionised_enterprises",
        "建会企业数",
        "家",
        LATEST,
        "截至期末已建立工会或被联合基层工会覆盖的企业家数（填报口径）。",
    ),
    _ind(
        "frontline_deputies", "一线产业工人代表人数", "人", LATEST, "本级本届工会会员代表大会代表中一线产业工人的人数。"
    ),
    _ind("deputies_total", "工会会员代表大会代表总数", "人", LATEST, "本级本届工会会员代表大会的代表总人数。"),
    _ind(
        "model_workers_honoured",
        "产业工人获评劳动模范人数",
        "人",
        SUM,
        "本期获评全国、省、市、县级劳动模范（先进工作者）的产业工人人数，一人获多级称号按1人计。",
    ),
    _ind(
        "may_day_medals",
        "产业工人获五一劳动奖章人数",
        "人",
        SUM,
        "本期获全国、省、市、县级五一劳动奖章的产业工人人数，一人获多级奖章按1人计。",
    ),
    _ratio(
        "frontline_deputy_share",
        "一线产业工人代表占比",
        "frontline_deputies",
        "deputies_total",
        "一线产业工人代表人数 ÷ 工会会员代表大会代表总数 × 100。",
    ),
]

_INSTITUTIONAL = [
    _ind(
        "joint_meetings_held",
        "召开产改联席会议（推进会）次数",
        "场",
        SUM,
        "本期本级召开的产改工作联席会议、推进会和专题协调会场次。",
    ),
    _ind(
        "work_items_planned",
        "年度产改工作任务数",
        "项",
        LATEST,
        "本年度工作要点、责任分工方案和重点项目清单列明的产改具体任务项数（截至期末）。",
    ),
    _ind(
        "work_items_completed",
        "已完成产改工作任务数",
        "项",
        LATEST,
        "本年度产改工作任务中截至期末已完成并有佐证材料的项数。",
    ),
    _ind(
        "policies_issued",
        "出台产改政策举措数",
        "项",
        SUM,
        "本期本级党委、政府及联席会议成员单位新出台的产改相关政策文件和举措项数。",
    ),
    _ind(
        "demands_collected",
        "收集政策性需求数",
        "项",
        SUM,
        "本期通过双向直达渠道收集的企业和职工政策性需求（问题）项数。",
    ),
    _ind(
        "demands_answered",
        "已答复政策性需求数",
        "项",
        SUM,
        "本期收集的政策性需求中，截至填报时已由责任单位书面答复的项数。",
    ),
    _ind(
        "demonstration_units",
        "产改示范单位数",
        "家",
        LATEST,
        "截至期末被各级命名为产改示范企业、示范园区的单位家数，一家获多级命名按1家计。",
    ),
    _ind(
        "pairing_agreements", "签订产改结对协议数", "个", SUM, "本期龙头企业与中小微企业新签订的产改结对共建协议份数。"
    ),
    _ind(
        "guidance_stations",
        "产改指导站（服务中心）数",
        "个",
        LATEST,
        "截至期末已建成并运行的产改指导站、产改服务中心个数。",
    ),
    _ind(
        "reform_liaisons",
        "产改联络员观察员指导员人数",
        "人",
        LATEST,
        "截至期末在册的产改联络员、观察员和指导员人数（不论是否使用平台）。",
    ),
    _ind("brand_projects", "产改品牌项目数", "项", LATEST, "截至期末经评审认定的产改品牌项目数。"),
    _ind(
        "reform_publicity_items",
        "产改专栏宣传期数",
        "期",
        SUM,
        "本期在工会网站、公众号和融媒体开设的产改专栏发布期数。",
    ),
    _ratio(
        "work_item_completion_rate",
        "产改工作任务完成率",
        "work_items_completed",
        "work_items_planned",
        "已完成产改工作任务数 ÷ 年度产改工作任务数 × 100。",
    ),
    _ratio(
        "demand_answer_rate",
        "政策性需求答复率",
        "demands_answered",
        "demands_collected",
        "已答复政策性需求数 ÷ 收集政策性需求数 × 100。",
    ),
]

_QUALITY = [
    _ind("training_sessions", "职工技能培训期数", "期", SUM, "本期组织开办的职工技能培训班期数，含线上专题班。"),
    _ind(
        "training_person_times", "职工技能培训人次", "人次", SUM, "本期参加职工技能培训的人次，同一人参加多期按期累计。"
    ),
    _ind(
        "certified_total",
        "职业技能等级取证人数",
        "人",
        SUM,
        "本期取得职业技能等级证书或职业资格证书的职工人数，含社会评价、企业自主评价和竞赛晋级取证。",
    ),
    _ind(
        "senior_certified",
        "新增高级工以上技能人才数",
        "人",
        SUM,
        "本期新取得高级工（三级）及以上（技师、高级技师、特级技师、首席技师）证书的职工人数。",
    ),
    _ind(
        "self_rating_enterprises",
        "开展技能等级自主评价企业数",
        "家",
        LATEST,
        "截至期末经备案可对本企业职工开展职业技能等级自主评价的企业家数。",
    ),
    _ind(
        "self_rated_workers", "企业自主评价取证人数", "人", SUM, "本期通过企业自主评价取得职业技能等级证书的职工人数。"
    ),
    _ind(
        "competitions_held",
        "劳动和技能竞赛场次",
        "场",
        SUM,
        "本期组织举办的劳动竞赛和职业技能竞赛场次，含一类、二类竞赛和重点工程劳动竞赛。",
    ),
    _ind(
        "competition_participants",
        "参加劳动和技能竞赛职工人次",
        "人次",
        SUM,
        "本期参加劳动竞赛和职业技能竞赛的职工人次，同一人参加多项按项累计。",
    ),
    _ind(
        "innovation_studios",
        "劳模和工匠人才创新工作室数",
        "个",
        LATEST,
        "截至期末已命名（认定）的各级劳模和工匠人才创新工作室个数，一室获多级命名按1个计。",
    ),
    _ind(
        "mentorship_pairs",
        "新增师徒结对数",
        "个",
        SUM,
        "本期新签订师带徒（名师带徒）协议的结对数，一名师傅带多名徒弟按徒弟人数计。",
    ),
    _ind(
        "apprentices_upgraded",
        "徒弟提升技能等级人数",
        "人",
        SUM,
        "本期师带徒结对中徒弟取得更高一级职业技能等级证书的人数。",
    ),
    _ind(
        "patents_granted",
        "职工获授权专利数",
        "项",
        SUM,
        "本期职工（含创新工作室）获授权的发明、实用新型和外观设计专利项数。",
    ),
    _ind(
        "innovation_results",
        "职工创新成果数",
        "项",
        SUM,
        "本期经认定的职工技术革新、先进操作法、“五小”成果和金点子项数，不含专利。",
    ),
    _ind(
        "suggestions_collected",
        "征集职工合理化建议数",
        "项",
        SUM,
        "本期通过“我为产改献一策”、建议箱等渠道征集的职工合理化建议项数。",
    ),
    _ind("suggestions_adopted", "采纳职工合理化建议数", "项", SUM, "本期征集的合理化建议中截至填报时已被采纳的项数。"),
    _ind(
        "craftsmen_named",
        "获评工匠称号人数",
        "人",
        SUM,
        "本期获评大工匠、工匠、技能大师等各级工匠称号的产业工人人数，一人获多级称号按1人计。",
    ),
    _ind(
        "education_upgrade_workers",
        "参加学历提升职工人数",
        "人",
        SUM,
        "本期通过“求学圆梦”等项目新入学参加学历教育的职工人数。",
    ),
    _ind(
        "skill_allowance_enterprises",
        "建立技能津贴制度企业数",
        "家",
        LATEST,
        "截至期末已建立按技能等级发放津贴（技高多得）制度的企业家数。",
    ),
]

_RIGHTS = [
    _ind(
        "collective_contract_enterprises",
        "签订集体合同企业数",
        "家",
        LATEST,
        "截至期末建会企业中集体合同（含区域性、行业性集体合同覆盖）在有效期内的企业家数。",
    ),
    _ind(
        "collective_contract_workers",
        "集体合同覆盖职工人数",
        "人",
        LATEST,
        "截至期末在有效期内的集体合同覆盖的职工人数。",
    ),
    _ind(
        "wage_contract_enterprises",
        "签订工资专项集体合同企业数",
        "家",
        LATEST,
        "截至期末工资专项集体合同（含能级工资专项集体合同）在有效期内的企业家数。",
    ),
    _ind("bargaining_instructors", "集体协商指导员人数", "人", LATEST, "截至期末在聘的各级集体协商指导员人数。"),
    _ind(
        "legal_aid_cases",
        "受理职工法律援助案件数",
        "个",
        SUM,
        "本期工会法律援助站（点）受理的职工法律援助和劳动争议调解案件数。",
    ),
    _ind(
        "disputes_mediated",
        "调解成功劳动争议案件数",
        "个",
        SUM,
        "本期受理的案件中截至填报时调解成功的案件数，含“工会+法院”诉调对接和“工会+仲裁”裁调对接。",
    ),
    _ind(
        "early_warning_sweeps",
        "劳动关系预警排查次数",
        "场",
        SUM,
        "本期组织开展的劳动关系日常、重要节点和专项排查次数。",
    ),
    _ind(
        "risks_found",
        "排查发现劳动关系风险隐患数",
        "个",
        SUM,
        "本期排查发现并报送的欠薪、停工、群体性劳动争议等劳动关系风险隐患个数。",
    ),
    _ind("risks_resolved", "化解劳动关系风险隐患数", "个", SUM, "本期发现的风险隐患中截至填报时已化解的个数。"),
    _ind("worker_homes", "职工之家数", "个", LATEST, "截至期末已建成的职工之家个数，含模范职工之家和职工小家。"),
    _ind(
        "outdoor_stations", "户外劳动者服务站数", "个", LATEST, "截至期末已建成并开放的户外劳动者服务站（驿站）个数。"
    ),
    _ind(
        "driver_rider_homes",
        "司机之家和骑手之家数",
        "个",
        LATEST,
        "截至期末已建成并开放的货车司机之家、快递骑手之家个数。",
    ),
    _ind(
        "assistance_funds",
        "帮扶慰问资金",
        "万元",
        SUM,
        "本期用于困难职工帮扶、节日走访慰问和一线职工关爱的资金，单位万元。",
        integer_only=False,
    ),
    _ind("assisted_workers", "帮扶慰问职工人次", "人次", SUM, "本期得到帮扶救助和走访慰问的职工人次。"),
    _ind(
        "medical_aid_insured",
        "参加职工医疗互助人数",
        "人",
        LATEST,
        "本保障年度截至期末参加职工住院和重大疾病医疗互助的职工人数。",
    ),
    _ind("health_check_workers", "组织职工健康体检人数", "人", SUM, "本期由工会组织或资助参加健康体检的职工人数。"),
    _ind("job_fairs_held", "举办招聘会场次", "场", SUM, "本期工会举办或参与举办的线上线下招聘会场次。"),
    _ind("jobs_offered", "招聘会新增就业岗位数", "个", SUM, "本期招聘会提供的新增就业岗位数。"),
    _ind("job_intentions", "达成就业意向人数", "人", SUM, "本期在招聘会上与用人单位达成就业意向的人数。"),
    _ind("childcare_classes", "职工子女假期托管班期数", "期", SUM, "本期开办的职工子女暑期、寒假托管班期数。"),
    _ind("childcare_children", "托管职工子女人数", "人", SUM, "本期参加假期托管班的职工子女人数。"),
    _ratio(
        "collective_contract_rate",
        "集体合同签订率",
        "collective_contract_enterprises",
        "unionised_enterprises",
        "签订集体合同企业数 ÷ 建会企业数 × 100。",
    ),
    _ratio(
        "dispute_mediation_rate",
        "劳动争议调解成功率",
        "disputes_mediated",
        "legal_aid_cases",
        "调解成功劳动争议案件数 ÷ 受理职工法律援助案件数 × 100。",
    ),
]


def _with_pillar(pillar, rows):
    return [{**row, "pillar": pillar.value, "sort": (position + 1) * 10} for position, row in enumerate(rows)]


SEED_INDICATORS: list[dict] = [
    *_with_pillar(Pillar.POLITICAL, _POLITICAL),
    *_with_pillar(Pillar.INSTITUTIONAL, _INSTITUTIONAL),
    *_with_pillar(Pillar.QUALITY, _QUALITY),
    *_with_pillar(Pillar.RIGHTS, _RIGHTS),
]

# (left, operator, right, message): only relations that hold by the indicators' definitions.
CROSS_FIELD_RULES: list[tuple[str, str, str, str]] = [
    ("senior_certified", "<=", "certified_total", "新增高级工以上技能人才数不能超过取证人数"),
    ("self_rated_workers", "<=", "certified_total", "企业自主评价取证人数不能超过取证人数"),
    ("apprentices_upgraded", "<=", "certified_total", "徒弟提升技能等级人数不能超过取证人数"),
    ("training_sessions", "<=", "training_person_times", "培训期数不能超过培训人次（每期至少1人次）"),
    ("competitions_held", "<=", "competition_participants", "竞赛场次不能超过参赛人次（每场至少1人次）"),
    ("lectures_held", "<=", "lecture_audience", "宣讲场次不能超过受众人次（每场至少1人次）"),
    ("childcare_classes", "<=", "childcare_children", "托管班期数不能超过托管子女人数（每期至少1人）"),
    ("collective_contract_enterprises", "<=", "unionised_enterprises", "签订集体合同企业数不能超过建会企业数"),
    ("disputes_mediated", "<=", "legal_aid_cases", "调解成功案件数不能超过受理案件数"),
    ("risks_resolved", "<=", "risks_found", "化解的风险隐患数不能超过发现的风险隐患数"),
    ("demands_answered", "<=", "demands_collected", "已答复的政策性需求数不能超过收集的需求数"),
    ("suggestions_adopted", "<=", "suggestions_collected", "采纳的合理化建议数不能超过征集的建议数"),
    ("work_items_completed", "<=", "work_items_planned", "已完成任务数不能超过年度任务数"),
    ("frontline_deputies", "<=", "deputies_total", "一线产业工人代表人数不能超过代表总数"),
]


def _rules_within(codes):
    """The cross-field rules whose two sides are both on a form."""
    present = set(codes)
    return [rule for rule in CROSS_FIELD_RULES if rule[0] in present and rule[2] in present]


_TOWN_QUARTERLY = [
    "unions_formed",
    "union_members_recruited",
    "party_members_recruited",
    "lectures_held",
    "lecture_audience",
    "training_sessions",
    "training_person_times",
    "certified_total",
    "senior_certified",
    "competitions_held",
    "competition_participants",
    "unionised_enterprises",
    "collective_contract_enterprises",
    "collective_contract_workers",
    "legal_aid_cases",
    "disputes_mediated",
    "worker_homes",
    "outdoor_stations",
]

_COUNTY_MONTHLY = [
    "demands_collected",
    "demands_answered",
    "early_warning_sweeps",
    "risks_found",
    "risks_resolved",
    "assistance_funds",
    "assisted_workers",
    "job_fairs_held",
    "jobs_offered",
    "job_intentions",
]

_COUNTY_YEARLY = [
    "joint_meetings_held",
    "work_items_planned",
    "work_items_completed",
    "policies_issued",
    "demonstration_units",
    "brand_projects",
    "reform_liaisons",
    "frontline_deputies",
    "deputies_total",
    "model_workers_honoured",
    "may_day_medals",
    "craftsmen_named",
    "self_rating_enterprises",
    "innovation_studios",
    "mentorship_pairs",
    "patents_granted",
    "innovation_results",
    "wage_contract_enterprises",
    "bargaining_instructors",
    "medical_aid_insured",
    "childcare_classes",
    "childcare_children",
]

DEFAULT_DATASETS: list[dict] = [
    {
        "code": "town_quarterly",
        "name": "乡镇（园区）产改工作季报",
        "period_type": "quarter",
        "reporting_kinds": ["town", "park"],
        "deadline_days": 10,
        "change_warning_pct": 50,
        "indicators": _TOWN_QUARTERLY,
        "rules": _rules_within(_TOWN_QUARTERLY),
    },
    {
        "code": "county_monthly",
        "name": "县（市、区）产改重点工作月调度表",
        "period_type": "month",
        "reporting_kinds": ["county"],
        "deadline_days": 5,
        "change_warning_pct": 100,
        "indicators": _COUNTY_MONTHLY,
        "rules": _rules_within(_COUNTY_MONTHLY),
    },
    {
        "code": "county_yearly",
        "name": "县（市、区）产改工作年报",
        "period_type": "year",
        "reporting_kinds": ["county"],
        "deadline_days": 20,
        "change_warning_pct": 50,
        "indicators": _COUNTY_YEARLY,
        "rules": _rules_within(_COUNTY_YEARLY),
    },
]

_INDICATOR_FIELDS = ("name", "unit", "pillar", "aggregation", "integer_only", "description", "sort")
_DATASET_FIELDS = ("name", "period_type", "reporting_kinds", "deadline_days", "change_warning_pct")


@transaction.atomic
def ensure_catalogue() -> dict[str, int]:
    """Create whatever of the seed catalogue is missing; never change what an office has edited.

    Indicators are matched by code, data sets by code. A data set's indicator links and rules are
    written only when the data set itself is created here, so an office's later changes to a default
    form (an indicator taken off, a rule dropped) are not undone on the next run.
    """
    counts = {"indicators": 0, "ratio_parts": 0, "datasets": 0, "links": 0, "rules": 0}

    by_code = {ind.code: ind for ind in Indicator.objects.filter(code__in=[row["code"] for row in SEED_INDICATORS])}
    for row in SEED_INDICATORS:
        if row["code"] in by_code:
            continue
        by_code[row["code"]] = Indicator.objects.create(
            code=row["code"], source=Source.REPORTED, **{field: row[field] for field in _INDICATOR_FIELDS}
        )
        counts["indicators"] += 1

    for row in SEED_INDICATORS:
        if row["aggregation"] != RATIO:
            continue
        indicator = by_code[row["code"]]
        if indicator.aggregation != RATIO:  # an office turned it into something else: leave it
            continue
        changed = []
        for part in ("numerator", "denominator"):
            if getattr(indicator, f"{part}_id") is None:
                setattr(indicator, part, by_code[row[part]])
                changed.append(part)
        if changed:
            indicator.save(update_fields=changed)
            counts["ratio_parts"] += 1

    existing = set(
        DataSet.objects.filter(code__in=[d["code"] for d in DEFAULT_DATASETS]).values_list("code", flat=True)
    )
    for spec in DEFAULT_DATASETS:
        if spec["code"] in existing:
            continue
        dataset = DataSet.objects.create(code=spec["code"], **{field: spec[field] for field in _DATASET_FIELDS})
        counts["datasets"] += 1
        DataSetIndicator.objects.bulk_create(
            DataSetIndicator(dataset=dataset, indicator=by_code[code], sort=position)
            for position, code in enumerate(spec["indicators"], start=1)
        )
        counts["links"] += len(spec["indicators"])
        ValidationRule.objects.bulk_create(
            ValidationRule(dataset=dataset, left=by_code[left], operator=op, right=by_code[right], message=message)
            for left, op, right, message in spec["rules"]
        )
        counts["rules"] += len(spec["rules"])
    return counts
