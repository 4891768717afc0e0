"""Demo bulletins: the province's series, one signed issue and one draft, items sent up by the demo orgs."""

from django.db import transaction

from changai.accounts.models import User
from changai.dashboards import services as dashboards
from changai.orgs.models import Org

from . import services
from .models import Article, Series

HEADER = "新时代江苏产业工人队伍建设改革联席会 专报"

LEAD_TITLE = "以项目化清单推动产改任务落地见效"
LEAD_BODY = "\n".join(
    [
        "今年以来，江阴市把产业工人队伍建设改革作为工会工作的主线，把年度任务分解为可检查、可考核的项目清单，"
        "逐项明确牵头单位、完成时限和成效标准。",
        "一、清单化部署",
        "市产改办年初召开联席会议，会同人社、教育、工信等成员单位梳理出重点项目，实行月调度、季通报，"
        "对进度滞后的项目及时发出督办单。",
        "二、项目化推进",
        "围绕技能提升、待遇保障和权益维护，各镇街结合本地产业特点自选项目，形成“一镇一品”的推进格局，"
        "项目完成情况纳入年度考核。",
        "三、品牌化提升",
        "对成效明显的项目，按照可看、可学、可推广的标准择优培育为产改品牌，组织现场观摩，推动经验在全市复制推广。",
    ]
)

ITEMS = [
    (
        "jiangyin",
        "320281",
        "江阴市推行技能等级与岗位津贴联动",
        "江阴市总工会联合市人社局，在装备制造、纺织服装等重点行业推动企业把技能等级与岗位津贴挂钩，"
        "已有数十家企业出台实施细则，一线职工取得新等级后次月即可按新标准领取津贴。",
    ),
    (
        "gaoyou",
        "321084",
        "高邮市组织劳模工匠进车间宣讲",
        "高邮市总工会组建由劳模、工匠和理论骨干组成的宣讲小分队，利用班前会、午休时间走进企业车间，"
        "用身边人讲身边事，把产改政策讲到一线职工心坎上。",
    ),
    (
        "zhutang",
        "320281112",
        "祝塘镇建成镇村企三级产改服务网络",
        "祝塘镇依托镇总工会、村工会联合会和企业工会，建立三级产改服务网络，"
        "明确各级联络员职责，职工反映的技能培训、津贴落实等诉求做到及时登记、分级办理。",
    ),
    (
        "shengqi",
        "IL-320000-01",
        "省部属企业试行首席技师评聘",
        "省部属企事业工会指导所属集团在关键岗位试行首席技师评聘，评聘结果与薪酬待遇、带徒任务挂钩，"
        "为高技能人才打通上升通道。",
    ),
]


@transaction.atomic
def load_demo_bulletins() -> int:
    """Idempotent: does nothing once the province's demo series exists. Returns the number of issues made."""
    province = Org.objects.get(code="320000")
    if Series.objects.filter(org=province, header=HEADER).exists():
        return 0
    office = User.objects.get(username="sheng")
    today = services.today()
    series = services.create_series(
        office,
        province,
        name="产改专报",
        header=HEADER,
        issuing_office="江苏省产改办",
        report_to="全国总工会产改办，省委、省政府有关领导",
        copy_to="省产改联席会议各成员单位，各设区市产改办",
        start_year=today.year,
        issued_in_start_year=7,
        issued_before=37,
    )
    items = [
        services.submit_item(User.objects.get(username=username), Org.objects.get(code=code), series, title=t, body=b)
        for username, code, t, b in ITEMS
    ]
    signed = services.create_issue(office, series, title=LEAD_TITLE)
    services.add_article(office, signed, Article.Kind.LEAD, title=LEAD_TITLE, author="江阴市总工会", body=LEAD_BODY)
    for item in items[:2]:
        services.accept_item(office, item, signed)
    _figures(office, signed, province)
    services.submit_for_review(office, signed)
    services.sign_off(office, signed, on=today)

    draft = services.create_issue(office, series, title="技能人才待遇专题")
    services.add_article(
        office,
        draft,
        Article.Kind.LEAD,
        title="让技高者多得成为企业的自觉行动",
        author="江苏省产改办",
        body="各地把提高技能人才待遇作为产改的关键一招，推动企业建立技能导向的薪酬分配制度。\n（本文待补充各地做法）",
    )
    _figures(office, draft, province)
    return 2


def _figures(user, issue, org) -> None:
    """A figures section of the headline indicators, when the demo has figures rolled up."""
    codes = [indicator.code for indicator in dashboards.headline_indicators()[:3]]
    if codes:
        period = dashboards.default_period(org)
        services.add_article(
            user,
            issue,
            Article.Kind.FIGURES,
            title="全省产改主要数据",
            period=period.code,
            indicator_codes=codes,
            top_n=5,
        )
