"""Certificates issued in a period, in total, by route and by level, for any org's subtree.

A certificate counts where the worker was employed when it was issued (its `employer`), so a worker
who later moves does not carry past figures to the new enterprise.
"""

from changai.indicators.models import Pillar
from changai.indicators.registry import as_of, count_in_subtrees, register
from changai.orgs.models import Org

from .models import Certificate, Level, Route, SelfRatingAuthorisation, level_name

_PATH = "employer__path"


def _issued(period):
    return Certificate.objects.filter(issued_on__range=(period.start, period.end), revoked=False)


@register(
    "certificates_issued",
    "技能等级证书发证数",
    "人次",
    Pillar.QUALITY,
    aggregation="sum",
    description="期内发证（不含已撤销）的职业技能等级证书数，按发证时职工所在企业统计；一人取得多本按本累计。",
)
def certificates_issued(period, orgs):
    return count_in_subtrees(_issued(period), orgs, path_field=_PATH)


def _register_route(route: Route):
    @register(
        f"certificates_issued_{route.value}",
        f"技能等级证书发证数（{route.label}）",
        "人次",
        Pillar.QUALITY,
        aggregation="sum",
        description=f"期内经{route.label}途径发证（不含已撤销）的职业技能等级证书数，按发证时职工所在企业统计。",
    )
    def issued_by_route(period, orgs):
        return count_in_subtrees(_issued(period).filter(route=route), orgs, path_field=_PATH)

    return issued_by_route


def _register_level(level: Level):
    @register(
        f"certificates_issued_level_{level.value}",
        f"{level_name(level)}证书发证数",
        "人次",
        Pillar.QUALITY,
        aggregation="sum",
        description=f"期内发证（不含已撤销）的{level.label}职业技能等级证书数，按发证时职工所在企业统计。",
    )
    def issued_at_level(period, orgs):
        return count_in_subtrees(_issued(period).filter(level=level), orgs, path_field=_PATH)

    return issued_at_level


for _route in Route:
    _register_route(_route)
for _level in Level:
    _register_level(_level)


@register(
    "certificates_self_rating_enterprises",
    "持有效自主评价备案企业数",
    "家",
    Pillar.QUALITY,
    description="期末持有至少一项有效职业技能等级自主评价备案的企业数。",
)
def self_rating_enterprises(period, orgs):
    day = as_of(period)
    holders = SelfRatingAuthorisation.objects.filter(valid_from__lte=day, valid_to__gte=day).values("enterprise_id")
    return count_in_subtrees(Org.objects.filter(pk__in=holders), orgs, path_field="path")
