"""Duplicate suggestions on demands written for this test: paraphrases found, unrelated ones not."""

from changai.demands import services
from changai.demands.models import Category

PAIRS = [
    (
        ("技能津贴没有按月发放", "车间里考取高级工证书的师傅，企业至今没有按月发放技能津贴"),
        ("高级工的津贴一直没发", "我们厂拿到高级工证的工人，每个月的技能津贴到现在还没有发"),
    ),
    (
        ("希望开设数控技能培训班", "数控车床操作工希望工会联系培训机构开设数控技能提升培训班"),
        ("请组织数控车工培训", "车间数控车床岗位的职工希望能参加技能提升培训，请工会帮忙组织培训班"),
    ),
    (
        ("职称评审对一线工人不开放", "技能人才想申报工程师职称，但企业说一线工人不能参加职称评审"),
        ("一线技术工人评职称没有渠道", "我们一线技术工人想评工程师，单位说没有评审渠道，希望打通技能人才评职称的路"),
    ),
    (
        ("夏季高温户外作业没有防暑降温费", "建筑工地夏天高温作业，公司没有按规定发放防暑降温费"),
        ("高温补贴没有发放", "今年夏天在工地户外干活，防暑降温费公司一直没有发给我们"),
    ),
    (
        ("自主评价的职业工种太少", "企业自主评价只开放了三个工种，焊工和电工还不能自主评价，希望扩大工种范围"),
        ("希望增加自主评价工种", "公司能自主评价的工种太少了，焊工、电工等岗位希望也能纳入企业自主评价"),
    ),
]
UNRELATED = [
    ("食堂就餐条件差", "职工食堂座位不够，夏天没有空调，希望改善就餐环境"),
    ("希望建设职工书屋", "厂区没有读书的地方，希望工会建一个职工书屋，配一些技术书籍"),
    ("通勤班车线路太少", "新厂区离市区远，班车只有一条线路，希望增加班车线路和班次"),
    ("子女暑期没人照看", "双职工家庭暑假孩子没人带，希望工会开办暑期托管班"),
]


def _raise(cast, title, content):
    return services.raise_demand(
        cast.users["qiye"],
        cast.jiangyin_firm,
        title=title,
        content=content,
        category=Category.objects.get(code="other"),
    )


def test_paraphrases_are_suggested_and_unrelated_demands_are_not(cast):
    originals = [_raise(cast, *first) for first, _ in PAIRS]
    for title, content in UNRELATED:
        _raise(cast, title, content)
    for original, (_, paraphrase) in zip(originals, PAIRS, strict=True):
        new = _raise(cast, *paraphrase)
        suggested = [demand for demand, _ in services.similar_open_demands(new)]
        assert suggested and suggested[0] == original, (paraphrase[0], [d.title for d in suggested])
        assert not {d.title for d in suggested} & {title for title, _ in UNRELATED}, paraphrase[0]
        new.delete()
