from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from stdnum.cn import uscc
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from changai.core.models import ScopedQuerySet


class Kind(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "设区市"
    COUNTY = "county", "县（市、区）"
    TOWN = "town", "乡镇/街道"
    PARK = "park", "园区"
    ENTERPRISE = "enterprise", "企业"
    MEMBER_UNIT = "member_unit", "成员单位"
    INDUSTRY_LINE = "industry_line", "产业系统"


DIVISION_KINDS = {Kind.PROVINCE, Kind.CITY, Kind.COUNTY}

# Which kinds of child each kind of org may hold in the territorial tree.
ALLOWED_CHILDREN = {
    Kind.PROVINCE: {Kind.CITY, Kind.MEMBER_UNIT, Kind.INDUSTRY_LINE, Kind.PARK},
    Kind.CITY: {Kind.COUNTY, Kind.PARK, Kind.MEMBER_UNIT},
    Kind.COUNTY: {Kind.TOWN, Kind.PARK, Kind.MEMBER_UNIT, Kind.ENTERPRISE},
    Kind.TOWN: {Kind.PARK, Kind.ENTERPRISE},
    Kind.PARK: {Kind.PARK, Kind.TOWN, Kind.ENTERPRISE},
    Kind.ENTERPRISE: set(),
    Kind.MEMBER_UNIT: set(),
    Kind.INDUSTRY_LINE: set(),
}


class Ownership(models.TextChoices):
    STATE = "state", "国有"
    PRIVATE = "private", "民营"
    FOREIGN = "foreign", "外资"
    MIXED = "mixed", "混合所有制"
    COLLECTIVE = "collective", "集体"


class Size(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections (门类)."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class PilotLevel(models.TextChoices):
    NATIONAL = "national", "全国试点"
    PROVINCIAL = "provincial", "省级试点"
    CITY = "city", "市级试点"
    COUNTY = "county", "县级试点"
    TOWN = "town", "乡镇级试点"


class UnitType(models.TextChoices):
    """Departments that sit on a joint meeting (联席会议成员单位)."""

    ORGANISATION = "organisation", "组织部"
    PROPAGANDA = "propaganda", "宣传部"
    DEVELOPMENT = "development", "发展改革"
    EDUCATION = "education", "教育"
    SCIENCE = "science", "科技"
    INDUSTRY = "industry", "工业和信息化"
    FINANCE = "finance", "财政"
    HUMAN_RESOURCES = "human_resources", "人力资源社会保障"
    STATE_ASSETS = "state_assets", "国资"
    HOUSING = "housing", "住房城乡建设"
    COMMERCE = "commerce", "商务"
    FEDERATION = "federation", "总工会"
    OTHER = "other", "其他"


def validate_credit_code(value: str) -> None:
    if not uscc.is_valid(value):
        raise ValidationError("统一社会信用代码“%(value)s”无效：应为18位且校验位正确。", params={"value": value})


class OrgQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_field = ""

    def current(self):
        return self.filter(is_active=True)

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(code__iexact=text) | Q(credit_code__iexact=text.upper()))


class OrgManager(MP_NodeManager):
    def get_queryset(self):
        return OrgQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)

    def search(self, text):
        return self.get_queryset().search(text)

    def current(self):
        return self.get_queryset().current()


class Org(MP_Node):
    """A node of the territorial tree: province → city → county → town/park → enterprise."""

    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, db_index=True)
    code = models.CharField(
        "代码", max_length=32, unique=True, null=True, blank=True, help_text="行政区划代码（GB/T 2260）或内部编码"
    )
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, null=True, blank=True, validators=[validate_credit_code]
    )
    ownership = models.CharField("所有制", max_length=16, choices=Ownership.choices, blank=True)
    industry = models.CharField("行业门类", max_length=1, choices=Industry.choices, blank=True)
    size = models.CharField("企业规模", max_length=8, choices=Size.choices, blank=True)
    headcount = models.PositiveIntegerField("职工人数", null=True, blank=True)
    has_union = models.BooleanField("已建工会", default=False)
    cluster = models.CharField("产业集群", max_length=60, blank=True)
    group = models.ForeignKey(
        "self",
        verbose_name="所属集团",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_members",
        limit_choices_to={"kind": "enterprise"},
        help_text="集团下属企业填写集团本部；集团工会可查看下属企业，津贴政策可由集团统一制定",
    )
    pilot_level = models.CharField("产改试点", max_length=12, choices=PilotLevel.choices, blank=True)
    unit_type = models.CharField("成员单位类别", max_length=20, choices=UnitType.choices, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    contact = models.CharField("联系人", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_active = models.BooleanField("有效", default=True)
    opened_on = models.DateField("设立日期", null=True, blank=True)
    closed_on = models.DateField("撤销/注销日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = OrgManager()

    class Meta:
        verbose_name = verbose_name_plural = "组织"
        indexes = [
            models.Index(fields=["path"], name="org_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="org_kind_path"),
            models.Index(fields=["name"], name="org_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def parent_org(self):
        if self.depth <= 1:
            return None
        return Org.objects.filter(path=self.path[: -self.steplen]).first()

    @property
    def is_division(self) -> bool:
        return self.kind in DIVISION_KINDS

    def get_additional_data(self):
        # Lets the audit trail be filtered by the viewer's scope.
        return {"org_path": self.path}


class LineMembership(models.Model):
    """An org's place in an industry line (产业系统), dated so restructurings keep history."""

    line = models.ForeignKey(
        Org,
        verbose_name="产业系统",
        on_delete=models.CASCADE,
        related_name="line_members",
        limit_choices_to={"kind": Kind.INDUSTRY_LINE},
    )
    org = models.ForeignKey(Org, verbose_name="成员企业", on_delete=models.CASCADE, related_name="line_memberships")
    parent = models.ForeignKey(
        Org, verbose_name="系统内上级", null=True, blank=True, on_delete=models.PROTECT, related_name="line_children"
    )
    valid_from = models.DateField("起始日期", default=timezone.localdate)
    valid_to = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "产业系统隶属"
        ordering = ["line", "valid_from"]

    def __str__(self):
        return f"{self.line} / {self.org}"

    def get_additional_data(self):
        return {"org_path": self.org.path}

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


def current_line_memberships(on=None):
    on = on or timezone.localdate()
    return LineMembership.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class ParentHistory(models.Model):
    """Which territorial parent an org had over which dates (the tree holds only the current one)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="parent_history")
    parent = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("终止日期", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = verbose_name_plural = "隶属变更记录"
        ordering = ["org", "valid_from"]
