"""Demo demands in the Jiangyin county: one at each step of the channel."""

from django.db import transaction

from changai.accounts.models import User
from changai.orgs.models import Kind, Org

from . import services
from .models import Category, Demand

DEMANDS = [
    ("pay", "高级工技能津贴未按月发放", "车间取得高级工证书的职工，企业尚未按政策每月发放技能津贴。"),
    ("titles", "一线技术工人申报工程师职称无渠道", "企业技能人才希望申报工程师职称，但不清楚贯通评审的申报渠道。"),
    ("training", "希望开设数控车工技能提升班", "数控岗位职工希望工会联系培训机构开设技能提升培训班。"),
    ("skills_rating", "自主评价开放工种太少", "企业自主评价只开放三个工种，希望增加焊工、电工。"),
    ("services", "户外劳动者服务站数量不足", "园区快递、环卫职工多，午间休息缺少服务站点。"),
]


@transaction.atomic
def load_demo_demands() -> int:
    county = Org.objects.get(code="320281")
    firms = list(Org.objects.filter(path__startswith=county.path, kind=Kind.ENTERPRISE, has_union=True)[:5])
    if Demand.objects.filter(org__in=firms).exists():
        return 0
    raiser, office = User.objects.get(username="qiye"), User.objects.get(username="jiangyin")
    hrss = Org.objects.get(code="MU-320281-human_resources")
    education = Org.objects.get(code="MU-320281-education")
    made = []
    for firm, (category, title, content) in zip(firms, DEMANDS, strict=False):
        made.append(
            services.raise_demand(
                raiser if firm == _own(raiser) else None,
                firm,
                title=title,
                content=content,
                category=Category.objects.get(code=category),
                channel="web" if firm == _own(raiser) else "phone",
                raiser_name="" if firm == _own(raiser) else "王师傅",
                contact="" if firm == _own(raiser) else "13900000000",
            )
        )
    for demand in made[:4]:
        services.route(office, demand, hrss, co_units=[education] if demand.category.code == "training" else ())
    first = made[0]
    services.answer(
        User.objects.get(username="jyrenshe"),
        first.assignments.get(role="lead"),
        "已约谈企业，督促按月足额发放技能津贴",
        "关于提高技能人才待遇的若干措施",
    )
    return len(made)


def _own(user):
    membership = user.active_memberships().first()
    return membership.org if membership else None
