from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from changai.core.models import ScopedQuerySet
from changai.indicators.models import Pillar


class CheckpointKind(models.TextChoices):
    WEEKLY = "weekly", "周安排"
    MONTHLY = "monthly", "月调度"
    QUARTERLY = "quarterly", "季抽查"
    HALF_YEAR = "half_year", "半年检查"
    YEAR_END = "year_end", "年终评比"


class Light(models.TextChoices):
    GREEN = "green", "正常推进"
    YELLOW = "yellow", "临期或滞后"
    RED = "red", "逾期"


class Plan(models.Model):
    """An org's annual work plan (工作要点、实施方案、责任分工、重点项目清单)."""

    class Kind(models.TextChoices):
        WORK_POINTS = "work_points", "工作要点"
        IMPLEMENTATION = "implementation", "实施方案"
        RESPONSIBILITIES = "responsibilities", "责任分工"
        KEY_PROJECTS = "key_projects", "重点项目清单"

    org = models.ForeignKey("orgs.Org", verbose_name="制定单位", on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveIntegerField("年度")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.KEY_PROJECTS)
    title = models.CharField("名称", max_length=120)
    cadence = models.JSONField(
        "督查节点", default=list, blank=True, help_text="周安排、月调度、季抽查、半年检查、年终评比中启用的节点"
    )
    checkpoint_due_days = models.PositiveIntegerField("节点报送期限（期末后工作日）", default=3)
    notice_reply_days = models.PositiveIntegerField("督办单答复期限（工作日）", default=5)
    circulate_after_days = models.PositiveIntegerField("催办后通报（工作日）", default=3)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工作计划"
        ordering = ["-year", "org", "kind"]

    def __str__(self):
        return f"{self.year}年{self.title}"

    def get_additional_data(self):
        return {"org_path": self.org.path}


class PlanItemQuerySet(ScopedQuerySet):
    scope_field = "plan__org"

    def visible_to(self, user):
        """Items of plans in scope, and items routed to any of the user's units as lead or supporting unit."""
        from changai.accounts.scope import scope_for

        if not user.is_authenticated:
            return self.none()
        units = [m.org_id for m in user.active_memberships()]
        routed = Q(lead_unit__in=units) | Q(supporting_units__in=units) if units else Q(pk__in=[])
        in_scope = self.filter(scope_for(user).q(self.scope_field)).values("pk")
        return self.filter(Q(pk__in=in_scope) | routed).distinct()


class PlanItem(models.Model):
    """One task of a plan: who leads, who supports, what is measured, by when, with what evidence."""

    class Status(models.TextChoices):
        ACTIVE = "active", "推进中"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    number = models.CharField("序号", max_length=12)
    title = models.CharField("任务", max_length=200)
    pillar = models.CharField("所属板块", max_length=16, choices=Pillar.choices)
    lead_unit = models.ForeignKey(
        "orgs.Org", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_items"
    )
    supporting_units = models.ManyToManyField(
        "orgs.Org", verbose_name="配合单位", blank=True, related_name="supported_items"
    )
    target = models.CharField("目标", max_length=300)
    target_value = models.DecimalField("量化目标值", max_digits=14, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField("开始日期")
    deadline = models.DateField("完成时限")
    evidence_required = models.CharField("佐证材料要求", max_length=300, blank=True)
    adopted_from = models.ForeignKey(
        "self", verbose_name="承接上级任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="adoptions"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    light = models.CharField("状态灯", max_length=6, choices=Light.choices, default=Light.GREEN, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "任务事项"
        ordering = ["plan", "number", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_number_per_plan")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_additional_data(self):
        return {"org_path": self.plan.org.path}


class Checkpoint(models.Model):
    """One cadence node of an item (e.g. the March monthly dispatch) with its due date in working days."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="checkpoints")
    kind = models.CharField("节点", max_length=10, choices=CheckpointKind.choices)
    period = models.CharField("期间", max_length=8)
    due_on = models.DateField("报送截止")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督查节点"
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "kind", "period"], name="one_checkpoint_per_period")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period}"

    @property
    def is_late(self) -> bool:
        if self.submitted_at:
            return timezone.localdate(self.submitted_at) > self.due_on
        return timezone.localdate() > self.due_on


class Progress(models.Model):
    """A progress report by the responsible unit against a checkpoint."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="reports")
    checkpoint = models.ForeignKey(Checkpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    unit = models.ForeignKey("orgs.Org", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    percent = models.PositiveSmallIntegerField("完成进度（%）")
    narrative = models.TextField("进展情况")
    attachment = models.FileField("佐证材料", upload_to="progress/%Y/%m/", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "进展报送"
        ordering = ["-submitted_at"]


class SupervisionNotice(models.Model):
    """A 督办单 to an item's lead unit, chased (催办) and circulated (通报) when its reply is late."""

    class Status(models.TextChoices):
        OPEN = "open", "待答复"
        CHASED = "chased", "已催办"
        CIRCULATED = "circulated", "已通报"
        ANSWERED = "answered", "已答复"

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="notices")
    unit = models.ForeignKey("orgs.Org", verbose_name="督办对象", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("督办事由", max_length=300)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("下发时间", default=timezone.now)
    reply_due = models.DateField("答复期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    chased_at = models.DateTimeField("催办时间", null=True, blank=True)
    circulated_at = models.DateTimeField("通报时间", null=True, blank=True)
    reply = models.TextField("答复", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-issued_at"]

    def __str__(self):
        return f"督办：{self.item.title}"

    def get_additional_data(self):
        return {"org_path": self.item.plan.org.path}


class ItemEvent(models.Model):
    """The item's timeline: creation, progress, lights, notices, chase-ups, replies."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=20)
    text = models.CharField("内容", max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


ItemStatus = PlanItem.Status  # a module-level name for the API schema's enum naming

NoticeStatus = SupervisionNotice.Status  # a module-level name for the API schema's enum naming
