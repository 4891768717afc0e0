"""A demo narrative report of 祝塘镇 (written for the demo), its proposed figures, and two of them accepted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changai.accounts.models import User
from changai.indicators.models import DataSet
from changai.orgs.models import Org

from . import services
from .models import FactProposal, NarrativeReport

TITLE = "祝塘镇产业工人队伍建设改革工作总结"
ACCEPT_AT_MOST = 2


def demo_text(year: int) -> str:
    return f"""# 祝塘镇{year}年产业工人队伍建设改革工作总结

祝塘镇总工会

{year}年，祝塘镇总工会在镇党委和上级工会的领导下，围绕“强技能、优服务、促和谐”三项重点，扎实推进产改各项工作。

一是强化思想引领。深入开展“党建带工建”活动，组织劳模工匠宣讲进企业18场，覆盖职工2600余人次；在6家规模以上企业新建车间党小组9个，发展一线工人党员14名。

二是搭建成长平台。全年举办职工技能培训班23期，参训职工4100人次，新增高级工以上技能人才186人。新命名镇级劳模和工匠人才创新工作室3个，职工取得专利27项、形成先进操作法等创新成果45项。以织造、针织两个产业集群为重点，推动龙头企业与中小企业签订产改结对协议15份。

三是做实维权服务。全镇建会企业集体合同签订率保持在95%以上，覆盖职工约1.2万人；工会法律援助站受理职工法律援助案件21件，调解成功19件。新建户外劳动者服务驿站4个，发放帮扶慰问资金68.5万元，走访慰问困难职工近300户。

四是创新工作载体。开展“十佳金点子”评选和“五小”创新活动，征集合理化建议412条，采纳156条。举办“春风行动”专场招聘会4场，提供就业岗位1300多个。

下一步，祝塘镇总工会将以“十五五”规划开局为契机，力争新培育省级示范企业1至2家。
"""


@transaction.atomic
def load_demo_narratives() -> int:
    """Upload the demo report as the town and let the county office accept two figures; returns the figures read."""
    town = Org.objects.filter(code="320281112").first()
    if town is None or NarrativeReport.objects.filter(org=town, title__startswith=TITLE).exists():
        return 0
    year = timezone.localdate().year - 1
    report = services.create_report(
        User.objects.get(username="zhutang"),
        org=town,
        period=str(year),
        title=f"{TITLE}（{year}年）",
        text=demo_text(year),
    )
    _accept_some(User.objects.get(username="jiangyin"), report)
    return report.proposals.count()


def _accept_some(reviewer, report) -> None:
    """Accept figures whose suggested indicator no quarterly form asks for, so the demo's yearly value
    does not stand in for the sum of the town's quarterly reports."""
    on_forms = set(DataSet.objects.filter(period_type="quarter").values_list("indicators__pk", flat=True))
    accepted = 0
    candidates = report.proposals.filter(status=FactProposal.Status.PROPOSED, suggested_indicator__isnull=False)
    for fact in candidates.exclude(suggested_indicator__in=on_forms).select_related("suggested_indicator"):
        if accepted == ACCEPT_AT_MOST:
            break
        try:
            services.accept(
                reviewer,
                fact,
                indicator=fact.suggested_indicator,
                org=report.org,
                period=report.period,
                value=f"{services.proposed_value(fact, fact.suggested_indicator):f}",
            )
        except ValidationError:
            continue
        accepted += 1
