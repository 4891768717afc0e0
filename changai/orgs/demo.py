"""Demo organisations: real divisions, a handful of real towns, invented parks and enterprises."""

import random
from datetime import date

from stdnum.cn import uscc

from . import services
from .models import Industry, Kind, Org, Ownership, Size, UnitType

DEMO_TOWNS_FILE = services.DIVISIONS_FILE.parent / "demo_towns.csv"

PROVINCE_UNITS = [
    ("省委组织部", UnitType.ORGANISATION),
    ("省委宣传部", UnitType.PROPAGANDA),
    ("省发展改革委", UnitType.DEVELOPMENT),
    ("省教育厅", UnitType.EDUCATION),
    ("省科技厅", UnitType.SCIENCE),
    ("省工业和信息化厅", UnitType.INDUSTRY),
    ("省财政厅", UnitType.FINANCE),
    ("省人力资源社会保障厅", UnitType.HUMAN_RESOURCES),
    ("省国资委", UnitType.STATE_ASSETS),
    ("省住房城乡建设厅", UnitType.HOUSING),
    ("省总工会", UnitType.FEDERATION),
]
LOCAL_UNITS = [
    ("人社局", UnitType.HUMAN_RESOURCES),
    ("国资委", UnitType.STATE_ASSETS),
    ("发改委", UnitType.DEVELOPMENT),
    ("教育局", UnitType.EDUCATION),
    ("科技局", UnitType.SCIENCE),
    ("财政局", UnitType.FINANCE),
    ("总工会", UnitType.FEDERATION),
]
DEMO_LOCAL_UNIT_ORGS = ["320200", "320281", "321000", "321084"]

_PREFIXES = [
    "华宏",
    "恒通",
    "澄星",
    "远景",
    "兴达",
    "金陵",
    "长江",
    "润泽",
    "东联",
    "海澜",
    "双良",
    "新源",
    "天成",
    "精工",
    "博远",
    "汇丰",
    "瑞达",
    "永固",
    "鼎力",
    "创新",
]
_TRADES = [
    ("精密机械", Industry.C),
    ("特种钢材", Industry.C),
    ("纺织印染", Industry.C),
    ("汽车零部件", Industry.C),
    ("液压件", Industry.C),
    ("电子科技", Industry.C),
    ("新材料", Industry.C),
    ("建设工程", Industry.E),
    ("物流", Industry.G),
    ("智能装备", Industry.C),
    ("化纤", Industry.C),
    ("电缆", Industry.C),
]
_SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司"]


def credit_code(division_code: str, serial: int) -> str:
    """A valid unified social credit code (GB 32100) for a demo enterprise."""
    body = f"91{division_code[:6]}MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def import_demo_towns(user) -> dict:
    """Load the demo towns the way an office would: the official list through the import framework."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from changai.core import import_services

    province = Org.objects.get(code="320000")
    upload = SimpleUploadedFile("demo_towns.csv", DEMO_TOWNS_FILE.read_bytes(), content_type="text/csv")
    batch = import_services.upload(user, "orgs.divisions", upload, province)
    if batch.status != batch.Status.READY:
        raise RuntimeError(f"demo towns did not validate: {batch.get_status_display()} {batch.errors[:3]}")
    return import_services.commit(user, batch).counts


def load_demo_orgs(rng: random.Random) -> dict[str, Org]:
    by_code = {org.code: org for org in Org.objects.exclude(code=None)}
    province = by_code["320000"]
    _member_units(province, by_code)
    parks = _parks(by_code)
    serial = 1
    for town in Org.objects.filter(kind=Kind.TOWN).order_by("code"):
        count = 8 if town.code.startswith("320281") else 4
        for _ in range(count):
            _enterprise(town, rng, serial)
            serial += 1
    for park in parks:
        for _ in range(3):
            _enterprise(park, rng, serial)
            serial += 1
    _industry_line(province, by_code, rng, serial)
    return {org.code: org for org in Org.objects.exclude(code=None)}


def _member_units(province, by_code):
    for name, unit_type in PROVINCE_UNITS:
        _child(province, name=name, kind=Kind.MEMBER_UNIT, unit_type=unit_type, code=f"MU-320000-{unit_type}")
    for code in DEMO_LOCAL_UNIT_ORGS:
        parent = by_code[code]
        for suffix, unit_type in LOCAL_UNITS:
            _child(
                parent,
                name=f"{parent.name}{suffix}",
                kind=Kind.MEMBER_UNIT,
                unit_type=unit_type,
                code=f"MU-{code}-{unit_type}",
            )


def _parks(by_code):
    return [
        _child(by_code["320281"], name="江阴高新技术产业开发区", kind=Kind.PARK, code="P-320281-01"),
        _child(by_code["321084"], name="高邮经济开发区", kind=Kind.PARK, code="P-321084-01"),
    ]


def _enterprise(parent, rng, serial, **extra):
    existing = Org.objects.filter(credit_code=credit_code(_division(parent), serial)).first()
    if existing:
        return existing
    trade, industry = rng.choice(_TRADES)
    name = extra.pop("name", None) or f"{_place(parent)}{rng.choice(_PREFIXES)}{trade}{rng.choice(_SUFFIXES)}"
    while Org.objects.filter(name=name).exists():
        name = f"{_place(parent)}{rng.choice(_PREFIXES)}{rng.choice(_PREFIXES)}{trade}有限公司"
    headcount = rng.choice([18, 45, 86, 150, 320, 680, 1200, 2800])
    size = (
        Size.LARGE
        if headcount >= 1000
        else Size.MEDIUM
        if headcount >= 300
        else Size.SMALL
        if headcount >= 20
        else Size.MICRO
    )
    fields = dict(
        name=name,
        kind=Kind.ENTERPRISE,
        credit_code=credit_code(_division(parent), serial),
        ownership=rng.choice([Ownership.PRIVATE] * 5 + [Ownership.STATE, Ownership.FOREIGN, Ownership.MIXED]),
        industry=industry,
        size=size,
        headcount=headcount,
        has_union=rng.random() < 0.85,
        opened_on=date(rng.randint(1995, 2020), rng.randint(1, 12), 1),
    )
    fields.update(extra)
    return _child(parent, **fields)


def _industry_line(province, by_code, rng, serial):
    line = _child(province, name="省部属企事业工会", kind=Kind.INDUSTRY_LINE, code="IL-320000-01")
    groups = [
        ("徐州矿务集团有限公司", "320311001", ["徐矿集团张双楼煤矿有限公司", "徐矿集团能源装备有限公司"]),
        ("江苏交通控股有限公司", "320104008", ["江苏交控江阴沿江高速管理有限公司", "江苏交控高邮服务区管理有限公司"]),
        ("江苏省港口集团有限公司", "320104009", ["江苏港口集团江阴港务有限公司"]),
    ]
    subsidiary_towns = {"江阴": "320281001", "高邮": "321084001"}
    start = date(2020, 1, 1)
    for group_name, town_code, subsidiaries in groups:
        group = _enterprise(
            by_code[town_code],
            rng,
            serial,
            name=group_name,
            ownership=Ownership.STATE,
            size=Size.LARGE,
            headcount=rng.randint(8000, 28000),
            has_union=True,
        )
        serial += 1
        if not line.line_members.filter(org=group).exists():
            services.join_line(line, group, valid_from=start)
        for sub_name in subsidiaries:
            town = next((code for key, code in subsidiary_towns.items() if key in sub_name), town_code)
            sub = _enterprise(
                by_code[town],
                rng,
                serial,
                name=sub_name,
                ownership=Ownership.STATE,
                size=Size.LARGE,
                headcount=rng.randint(1000, 5000),
                has_union=True,
            )
            serial += 1
            if not line.line_members.filter(org=sub).exists():
                services.join_line(line, sub, parent=group, valid_from=start)


def _child(parent, **fields):
    """Add a child unless an org with the same code or credit code exists (the demo reloads idempotently)."""
    for key in ("code", "credit_code"):
        if fields.get(key):
            existing = Org.objects.filter(**{key: fields[key]}).first()
            if existing:
                return existing
    node = Org.objects.add_child(parent, fields)
    services.ParentHistory.objects.create(
        org=node, parent=parent, valid_from=fields.get("opened_on") or date(2020, 1, 1)
    )
    return node


def _place(parent) -> str:
    """Enterprises in county-level cities usually carry the city's name: 江阴…, 高邮…"""
    county = Org.objects.get_ancestors(parent).filter(kind=Kind.COUNTY).first()
    return county.name[:-1] if county and county.name.endswith("市") else ""


def _division(parent) -> str:
    county = Org.objects.get_ancestors(parent).filter(kind=Kind.COUNTY).first()
    return county.code if county else "320000"
