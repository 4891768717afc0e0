from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from changai.core.models import ScopedQuerySet


def _unit_ids(user) -> list[int]:
    return [m.org_id for m in user.active_memberships()]


# ---------------------------------------------------------------------------- quarterly spot checks


class SpotCheckQuerySet(ScopedQuerySet):
    scope_field = "plan__org"


class SpotCheck(models.Model):
    """A quarterly spot check (季抽查) of a plan: a seeded random sample of its active items."""

    plan = models.ForeignKey(
        "worklists.Plan", verbose_name="工作计划", on_delete=models.CASCADE, related_name="spot_checks"
    )
    period = models.CharField("抽查季度", max_length=8, help_text="如 2026Q2")
    sample_pct = models.PositiveSmallIntegerField(
        "抽取比例（%）", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    seed = models.BigIntegerField("随机种子", help_text="记录在案，用同一种子可复现抽样结果")
    population = models.JSONField("抽样总体", default=list, help_text="抽样时计划中推进中任务的ID，按ID排序")
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="检查人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    items = models.ManyToManyField(
        "worklists.PlanItem", verbose_name="抽中任务", through="SampledItem", related_name="spot_checks"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("抽查时间", default=timezone.now)

    objects = SpotCheckQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "季度抽查"
        ordering = ["-period", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="one_spot_check_per_plan_quarter")]

    def __str__(self):
        return f"{self.plan} {self.period}季抽查"

    def get_additional_data(self):
        return {"org_path": self.plan.org.path}

    def sampled(self):
        """The sampled items in the order they were drawn."""
        return [row.item for row in self.sample_rows.select_related("item__lead_unit").order_by("position")]


class SampledItem(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="sample_rows")
    item = models.ForeignKey("worklists.PlanItem", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField("抽取顺序")

    class Meta:
        ordering = ["spot_check", "position"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "item"], name="item_sampled_once")]


class Finding(models.Model):
    """A problem the checker found in one sampled item."""

    class Severity(models.TextChoices):
        MINOR = "minor", "轻微"
        GENERAL = "general", "一般"
        SERIOUS = "serious", "严重"

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey("worklists.PlanItem", verbose_name="任务", on_delete=models.CASCADE, related_name="+")
    text = models.TextField("发现问题")
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "抽查发现问题"
        ordering = ["spot_check", "recorded_at", "pk"]

    def __str__(self):
        return self.text[:40]

    def get_additional_data(self):
        return {"org_path": self.spot_check.plan.org.path}


class RectificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rectifications of spot checks in scope, and those ordered to one of the user's units."""
        from changai.accounts.scope import scope_for

        if not user.is_authenticated:
            return self.none()
        in_scope = scope_for(user).q("finding__spot_check__plan__org")
        return self.filter(in_scope | Q(unit__in=_unit_ids(user))).distinct()

    def overdue(self, on):
        return self.filter(status=Rectification.Status.OPEN, deadline__lt=on)


class Rectification(models.Model):
    """A rectification order (整改) for a finding, to a responsible unit, by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        DONE = "done", "已整改"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    task = models.CharField("整改任务", max_length=300)
    unit = models.ForeignKey("orgs.Org", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("整改时限")
    status = models.CharField("状态", max_length=6, choices=Status.choices, default=Status.OPEN, db_index=True)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ordered_at = models.DateTimeField("下达时间", default=timezone.now)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField("整改情况", blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "整改"
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.task

    def get_additional_data(self):
        return {"org_path": self.finding.spot_check.plan.org.path}


# ---------------------------------------------------------------------------- brands


class BrandQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Brands of the items the user can see."""
        from changai.worklists.models import PlanItem

        return self.filter(item__in=PlanItem.objects.visible_to(user).values("pk"))


class Brand(models.Model):
    """A task made into a brand (把产改项目做成品牌)."""

    item = models.OneToOneField(
        "worklists.PlanItem", verbose_name="任务", on_delete=models.CASCADE, related_name="brand"
    )
    name = models.CharField("品牌名称", max_length=100)
    promoted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    promoted_at = models.DateTimeField("命名时间", default=timezone.now)

    objects = BrandQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "产改品牌"
        ordering = ["-promoted_at"]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return {"org_path": self.item.plan.org.path}


class BrandCriterion(models.Model):
    """One point of the brand standard (the "看得见" 12 points by default), edited in the database."""

    class Group(models.TextChoices):
        SEEN = "seen", "看得见"
        GAINS = "gains", "有收获"
        FELT = "felt", "可感知"

    group = models.CharField("类别", max_length=8, choices=Group.choices)
    name = models.CharField("评价标准", max_length=60)
    points = models.PositiveSmallIntegerField("分值", default=1, validators=[MinValueValidator(1)])
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "品牌评价标准"
        ordering = ["sort", "pk"]

    def __str__(self):
        return f"{self.get_group_display()}·{self.name}"


class BrandEvaluation(models.Model):
    """One scoring of a brand against the active criteria; the total and the maximum are kept as scored."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评价人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField("评价日期")
    comment = models.TextField("评价意见", blank=True)
    total = models.DecimalField("总分", max_digits=6, decimal_places=1, default=0)
    max_total = models.DecimalField("满分", max_digits=6, decimal_places=1, default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "品牌评价"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.brand} {self.date:%Y-%m-%d}"


class BrandScore(models.Model):
    evaluation = models.ForeignKey(BrandEvaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(BrandCriterion, verbose_name="评价标准", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["evaluation", "criterion__sort", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "criterion"], name="one_score_per_criterion")]


# ---------------------------------------------------------------------------- joint meetings


class MeetingQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Meetings convened in scope, and those one of the user's units attended."""
        if not user.is_authenticated:
            return self.none()
        in_scope = super().visible_to(user).values("pk")
        return self.filter(Q(pk__in=in_scope) | Q(attendees__in=_unit_ids(user))).distinct()


class Meeting(models.Model):
    """A joint meeting (联席会议) or progress meeting (推进会) with its member units and decisions."""

    class Kind(models.TextChoices):
        JOINT = "joint", "联席会议"
        PROGRESS = "progress", "推进会"

    org = models.ForeignKey("orgs.Org", verbose_name="召集单位", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField("会议类型", max_length=10, choices=Kind.choices, default=Kind.JOINT)
    title = models.CharField("会议名称", max_length=120)
    date = models.DateField("会议日期")
    attendees = models.ManyToManyField(
        "orgs.Org", verbose_name="参会成员单位", blank=True, related_name="attended_meetings"
    )
    minutes = models.TextField("会议纪要", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "联席会议"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.org.path}


class Decision(models.Model):
    """A decision of a meeting, led by one unit; it becomes a task of a plan in one click."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField("议定事项")
    lead_unit = models.ForeignKey("orgs.Org", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("完成时限", null=True, blank=True)
    items = models.ManyToManyField("worklists.PlanItem", verbose_name="转化任务", blank=True, related_name="decisions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "会议议定事项"
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.text[:40]

    def get_additional_data(self):
        return {"org_path": self.meeting.org.path}


RectificationStatus = Rectification.Status  # a module-level name for the API schema's enum naming
