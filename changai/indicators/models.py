from django.conf import settings
from django.db import models
from django.utils import timezone

from changai.core.models import ScopedQuerySet
from changai.core.periods import PERIOD_TYPE_CHOICES, Period


class Pillar(models.TextChoices):
    POLITICAL = "political", "政治引领"
    INSTITUTIONAL = "institutional", "制度落实"
    QUALITY = "quality", "素质提升"
    RIGHTS = "rights", "权益维护"


class Unit(models.TextChoices):
    ENTERPRISES = "家", "家"
    PEOPLE = "人", "人"
    PERSON_TIMES = "人次", "人次"
    ITEMS = "个", "个"
    EVENTS = "场", "场"
    SESSIONS = "期", "期"
    PROJECTS = "项", "项"
    YUAN = "元", "元"
    TEN_THOUSAND_YUAN = "万元", "万元"
    PERCENT = "%", "%"


class Aggregation(models.TextChoices):
    """How values combine up the tree and over time.

    sum: added across orgs and across sub-periods (flows: trainings held this month).
    latest: added across orgs, the last sub-period's value over time (stocks: worker homes to date).
    max: the largest value, across orgs and over time.
    ratio: numerator ÷ denominator, each rolled up first (never an average of percentages).
    """

    SUM = "sum", "求和"
    LATEST = "latest", "取最新"
    MAX = "max", "取最大"
    RATIO = "ratio", "比率"


class Source(models.TextChoices):
    REPORTED = "reported", "下级填报"
    COMPUTED = "computed", "平台计算"


class Indicator(models.Model):
    code = models.SlugField("指标代码", max_length=40, unique=True)
    name = models.CharField("指标名称", max_length=80)
    unit = models.CharField("计量单位", max_length=8, choices=Unit.choices)
    pillar = models.CharField("所属板块", max_length=16, choices=Pillar.choices)
    aggregation = models.CharField("汇总方式", max_length=8, choices=Aggregation.choices, default=Aggregation.SUM)
    source = models.CharField("数据来源", max_length=10, choices=Source.choices, default=Source.REPORTED)
    numerator = models.ForeignKey(
        "self", verbose_name="分子指标", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", verbose_name="分母指标", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    integer_only = models.BooleanField("只能填整数", default=True)
    description = models.TextField("指标说明", blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "指标"
        ordering = ["pillar", "sort", "code"]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class DataSet(models.Model):
    """A reporting form: which indicators, how often, who reports, until when."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=80)
    period_type = models.CharField("填报周期", max_length=10, choices=PERIOD_TYPE_CHOICES)
    indicators = models.ManyToManyField(Indicator, through="DataSetIndicator", verbose_name="指标")
    reporting_kinds = models.JSONField("填报单位类型", default=list, help_text="如 town、park、enterprise")
    open_offset_days = models.IntegerField(
        "开放填报", default=-10, help_text="相对期末的工作日数，负数表示期末前若干个工作日开放"
    )
    deadline_days = models.PositiveIntegerField("截止期限（期末后工作日）", default=10)
    change_warning_pct = models.PositiveIntegerField(
        "环比变动提示阈值（%）", default=50, help_text="与上期相比变动超过该比例时须填写说明"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "填报表"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def ordered_indicators(self):
        return [link.indicator for link in self.links.select_related("indicator").order_by("sort", "pk")]


class DataSetIndicator(models.Model):
    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="links")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT)
    required = models.BooleanField("必填", default=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        unique_together = [("dataset", "indicator")]
        ordering = ["sort", "pk"]


class ValidationRule(models.Model):
    """A cross-field rule such as 取证人数 ≤ 培训人次."""

    class Operator(models.TextChoices):
        LE = "<=", "≤"
        LT = "<", "<"
        GE = ">=", "≥"
        GT = ">", ">"
        EQ = "==", "="

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="rules")
    left = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name="左侧指标")
    operator = models.CharField("关系", max_length=2, choices=Operator.choices, default=Operator.LE)
    right = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name="右侧指标")
    message = models.CharField("提示", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "校验规则"

    def __str__(self):
        return f"{self.left.name} {self.get_operator_display()} {self.right.name}"


class SubmissionQuerySet(ScopedQuerySet):
    pass


class Submission(models.Model):
    """One org's report of one data set for one period, and where it stands in review."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已上报"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已审核"

    dataset = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="submissions")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField("期间", max_length=8)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)
    first_submitted_at = models.DateTimeField("首次上报时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "填报"
        unique_together = [("dataset", "org", "period")]
        indexes = [models.Index(fields=["dataset", "period", "status"])]

    def __str__(self):
        return f"{self.org} {self.dataset} {self.period}"

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)

    def get_additional_data(self):
        return {"org_path": self.org.path}


class SubmissionEvent(models.Model):
    """The timeline of a submission: every save, submit, return and approval with the values at the time."""

    class Action(models.TextChoices):
        SAVED = "saved", "保存草稿"
        SUBMITTED = "submitted", "上报"
        RETURNED = "returned", "退回"
        APPROVED = "approved", "审核通过"
        REOPENED = "reopened", "撤销审核"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", default=timezone.now)
    reason = models.TextField("说明", blank=True)
    values = models.JSONField("数值快照", default=dict)

    class Meta:
        ordering = ["at", "pk"]


class DataValueQuerySet(ScopedQuerySet):
    def for_period(self, period: str):
        return self.filter(period=period)


class DataValue(models.Model):
    """A raw figure of one org for one indicator and period (reported, computed or imported)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="data_values")
    period = models.CharField("期间", max_length=8)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="values")
    explanation = models.CharField("变动说明", max_length=300, blank=True)
    approved = models.BooleanField("已审核", default=False, help_text="只有已审核的数值参与汇总")
    provenance = models.CharField("来源说明", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DataValueQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "数据值"
        constraints = [models.UniqueConstraint(fields=["indicator", "org", "period"], name="one_value_per_cell")]
        indexes = [models.Index(fields=["indicator", "period", "approved"])]

    def get_additional_data(self):
        return {"org_path": self.org.path}


class DeadlineException(models.Model):
    """The level above lets one org report after the data set's deadline."""

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE)
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE)
    period = models.CharField("期间", max_length=8)
    until = models.DateField("延期至")
    reason = models.CharField("原因", max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "延期填报"
        unique_together = [("dataset", "org", "period")]


class RollupQuerySet(models.QuerySet):
    def visible_to(self, user):
        from changai.accounts.scope import scope_for

        return self.filter(scope_for(user).q("org"))


class Rollup(models.Model):
    """An indicator rolled up one org's subtree (or industry line) for one period: one indexed lookup."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)
    value = models.DecimalField(max_digits=24, decimal_places=4, null=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    objects = RollupQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "org", "period"], name="one_rollup_per_cell")]
