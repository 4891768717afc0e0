"""Skill allowances (技高多得): dated policies per enterprise or group, the monthly roster, one-off rewards."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from changai.certificates.models import Level
from changai.core.models import ScopedQuerySet


class MidMonthRule(models.TextChoices):
    NEXT_MONTH = "next_month", "次月起调整"
    PRO_RATA = "pro_rata_days", "当月按天折算"


class Tier(models.TextChoices):
    """Special talent tiers (特殊人才津贴), highest first."""

    LEADING = "leading", "领军人才"
    SPECIAL = "special", "特殊技能人才"
    KEY = "key", "关键技能人才"


class PolicyQuerySet(ScopedQuerySet):
    scope_field = "org"

    def overlapping(self, start, end):
        """Policies in force on at least one day between start and end."""
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start), effective_from__lte=end)


class AllowancePolicy(models.Model):
    """The allowance rules of one enterprise, or of a group's head for every member without its own policy."""

    org = models.ForeignKey(
        "orgs.Org",
        verbose_name="制定单位",
        on_delete=models.PROTECT,
        related_name="allowance_policies",
        limit_choices_to={"kind": "enterprise"},
        help_text="企业本身，或集团本部（下属企业没有自己的政策时沿用集团政策）",
    )
    name = models.CharField("政策名称", max_length=80)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("截止日期", null=True, blank=True, help_text="留空表示长期有效")
    mid_month_rule = models.CharField(
        "月中变动处理",
        max_length=16,
        choices=MidMonthRule.choices,
        default=MidMonthRule.NEXT_MONTH,
        help_text="取得或失去等级、入职离职、人才认定或政策本身在月中变动时：次月起按新情况发放，或当月按天折算",
    )
    titles_count = models.BooleanField(
        "职称按等级对应享受",
        default=True,
        help_text="助理工程师=高级工、工程师=技师、高级工程师=高级技师；两者就高享受一项，不重复享受",
    )
    notes = models.TextField("说明", blank=True)
    copied_from = models.ForeignKey(
        "self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "技能津贴政策"
        ordering = ["org_id", "-effective_from"]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return {"org_path": self.org.path}

    @property
    def period_label(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "长期"
        return f"{self.effective_from.isoformat()} 至 {end}"


class PolicyLevelAmount(models.Model):
    """The monthly allowance for a skill level; a higher level without its own row gets the nearest lower row."""

    policy = models.ForeignKey(AllowancePolicy, on_delete=models.CASCADE, related_name="level_amounts")
    level = models.PositiveSmallIntegerField("技能等级", choices=Level.choices)
    amount = models.DecimalField("月津贴（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "等级津贴标准"
        ordering = ["policy_id", "level"]
        constraints = [models.UniqueConstraint(fields=["policy", "level"], name="one_amount_per_level")]

    def __str__(self):
        return f"{self.get_level_display()} {self.amount}元/月"

    def get_additional_data(self):
        return {"org_path": self.policy.org.path}


class TalentTier(models.Model):
    policy = models.ForeignKey(AllowancePolicy, on_delete=models.CASCADE, related_name="tiers")
    tier = models.CharField("人才类别", max_length=10, choices=Tier.choices)
    amount = models.DecimalField("月津贴（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "特殊人才津贴标准"
        ordering = ["policy_id", "tier"]
        constraints = [models.UniqueConstraint(fields=["policy", "tier"], name="one_amount_per_tier")]

    def __str__(self):
        return f"{self.get_tier_display()} {self.amount}元/月"

    def get_additional_data(self):
        return {"org_path": self.policy.org.path}


class RewardRule(models.Model):
    """A one-off reward for newly reaching a level; each worker gets it once per level, ever."""

    policy = models.ForeignKey(AllowancePolicy, on_delete=models.CASCADE, related_name="reward_rules")
    level = models.PositiveSmallIntegerField("新取得等级", choices=Level.choices)
    amount = models.DecimalField("一次性奖励（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "晋级奖励标准"
        ordering = ["policy_id", "level"]
        constraints = [models.UniqueConstraint(fields=["policy", "level"], name="one_reward_per_level")]

    def __str__(self):
        return f"新取得{self.get_level_display()} {self.amount}元"

    def get_additional_data(self):
        return {"org_path": self.policy.org.path}


class DesignationQuerySet(ScopedQuerySet):
    scope_field = "org"

    def overlapping(self, start, end):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start), valid_from__lte=end)


class TalentDesignation(models.Model):
    """A named worker recognised as a special talent by an enterprise (or its group) for a period."""

    org = models.ForeignKey(
        "orgs.Org",
        verbose_name="认定单位",
        on_delete=models.PROTECT,
        related_name="talent_designations",
        help_text="企业或集团本部；集团认定的人才在集团各下属企业均有效",
    )
    worker = models.ForeignKey(
        "workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="talent_designations"
    )
    tier = models.CharField("人才类别", max_length=10, choices=Tier.choices)
    valid_from = models.DateField("认定起始日期")
    valid_to = models.DateField("认定截止日期", null=True, blank=True, help_text="留空表示长期有效")
    basis = models.CharField("认定依据", max_length=120, blank=True, help_text="如认定文件名称、文号")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = DesignationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "特殊人才认定"
        ordering = ["org_id", "tier", "-valid_from"]

    def __str__(self):
        return f"{self.worker.name} {self.get_tier_display()}"

    def get_additional_data(self):
        return {"org_path": self.org.path}


class RosterQuerySet(ScopedQuerySet):
    scope_field = "org"


class Roster(models.Model):
    """One month's allowance roster of an enterprise, or of a whole group (head and members)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        APPROVED = "approved", "已审批（锁定）"

    org = models.ForeignKey("orgs.Org", verbose_name="单位", on_delete=models.PROTECT, related_name="allowance_rosters")
    whole_group = models.BooleanField("含集团下属企业", default=False)
    month = models.CharField("月份", max_length=7, help_text="格式 YYYY-MM")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    policies = models.ManyToManyField(AllowancePolicy, verbose_name="适用政策", blank=True, related_name="rosters")
    policy_snapshot = models.JSONField("政策快照", default=dict, blank=True)
    job = models.ForeignKey(
        "core.Job", verbose_name="计算任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    compute_seconds = models.FloatField("计算耗时（秒）", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    line_count = models.PositiveIntegerField("名单行数", default=0)
    paid_count = models.PositiveIntegerField("发放人数", default=0)
    changed_count = models.PositiveIntegerField("变动人数", default=0)
    total_amount = models.DecimalField("合计金额（元）", max_digits=16, decimal_places=2, default=0)
    reward_amount = models.DecimalField("其中一次性奖励（元）", max_digits=16, decimal_places=2, default=0)
    totals = models.JSONField("分项合计", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = RosterQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "技能津贴花名册"
        ordering = ["-month", "org_id"]
        constraints = [models.UniqueConstraint(fields=["org", "month", "whole_group"], name="one_roster_per_month")]
        permissions = [
            ("approve_roster", "可以审批技能津贴花名册"),
            ("check_unlisted", "可以核查应发未列人员"),
        ]

    def __str__(self):
        return f"{self.org.name}{'（集团）' if self.whole_group else ''} {self.month} 技能津贴花名册"

    def get_additional_data(self):
        return {"org_path": self.org.path}

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def month_label(self) -> str:
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月"


# The figures of a roster line, as the engine writes them and the API and the payroll export read them.
LINE_FIGURES = [
    "name",
    "id_masked",
    "skill_level",
    "title_rank",
    "basis_level",
    "basis_source",
    "level_amount",
    "tier",
    "tier_amount",
    "reward_amount",
    "total",
    "days",
    "previous_total",
    "change",
    "reasons",
]


class RosterLine(models.Model):
    """One worker at one enterprise in one roster: the allowance items, the total and the change since last month.

    Written in bulk (COPY on PostgreSQL); the name and masked number are a payroll snapshot of that month."""

    class Change(models.TextChoices):
        FIRST = "first", "首次编制"
        NEW = "new", "新增"
        UP = "up", "增加"
        DOWN = "down", "减少"
        SAME = "same", "不变"
        GONE = "gone", "停发"

    # A derived table of up to a million rows a month, written only by compute_roster from existing workers and
    # enterprises: the worker and enterprise keys are not checked by the database (Django still enforces PROTECT),
    # which saves the deferred checks of every row at commit. The (roster, enterprise, name) index serves the
    # roster page's ordered pages and its enterprise filter.
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="lines", db_index=False)
    worker = models.ForeignKey(
        "workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    enterprise = models.ForeignKey(
        "orgs.Org",
        verbose_name="企业",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    name = models.CharField("姓名", max_length=40)
    id_masked = models.CharField("身份证号（脱敏）", max_length=18)
    skill_level = models.PositiveSmallIntegerField("技能等级", choices=Level.choices, null=True)
    title_rank = models.PositiveSmallIntegerField("职称", null=True)
    basis_level = models.PositiveSmallIntegerField("享受等级", choices=Level.choices, null=True)
    basis_source = models.CharField("享受依据", max_length=8, blank=True)  # "skill" or "title"
    level_amount = models.DecimalField("等级津贴", max_digits=10, decimal_places=2, default=0)
    tier = models.CharField("人才类别", max_length=10, choices=Tier.choices, blank=True)
    tier_amount = models.DecimalField("人才津贴", max_digits=10, decimal_places=2, default=0)
    reward_amount = models.DecimalField("一次性奖励", max_digits=10, decimal_places=2, default=0)
    total = models.DecimalField("合计", max_digits=12, decimal_places=2, default=0)
    days = models.PositiveSmallIntegerField("折算天数", null=True, help_text="按天折算时的计发天数；整月为空")
    previous_total = models.DecimalField("上月合计", max_digits=12, decimal_places=2, null=True)
    change = models.CharField("变动", max_length=6, choices=Change.choices, default=Change.SAME)
    reasons = models.CharField("变动原因", max_length=300, blank=True)
    detail = models.JSONField("明细", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "花名册明细"
        ordering = ["roster_id", "enterprise_id", "name", "pk"]
        indexes = [models.Index(fields=["roster", "enterprise", "name"], name="rosterline_page")]

    def __str__(self):
        return f"{self.name} {self.total}"


class RewardPaymentQuerySet(ScopedQuerySet):
    scope_field = "enterprise"


class RewardPayment(models.Model):
    """A one-off reward paid on an approved roster; the unique key makes it once per worker per level."""

    worker = models.ForeignKey("workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField("等级", choices=Level.choices)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    reached_on = models.DateField("取得日期", null=True, blank=True)
    enterprise = models.ForeignKey("orgs.Org", verbose_name="发放企业", on_delete=models.PROTECT, related_name="+")
    roster = models.ForeignKey(Roster, verbose_name="花名册", on_delete=models.PROTECT, related_name="reward_payments")
    month = models.CharField("发放月份", max_length=7)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = RewardPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "晋级奖励发放记录"
        ordering = ["-month", "worker_id"]
        constraints = [models.UniqueConstraint(fields=["worker", "level"], name="reward_once_per_worker_level")]

    def __str__(self):
        return f"{self.worker.name} 新取得{self.get_level_display()} {self.amount}元"

    def get_additional_data(self):
        return {"org_path": self.enterprise.path}
