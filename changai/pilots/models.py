from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from changai.core.models import ScopedQuerySet, TimeStampedModel
from changai.indicators.models import Pillar
from changai.orgs.models import Kind, PilotLevel

# The orgs that can be a pilot unit (试点单位).
PILOT_KINDS = (Kind.ENTERPRISE, Kind.PARK, Kind.TOWN)


class PilotType(models.Model):
    """A kind of pilot an office runs (党建引领型, 赋能成长型…), edited in the database."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "试点类型"
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class PilotUnitQuerySet(ScopedQuerySet):
    scope_field = "org"


class PilotUnit(TimeStampedModel):
    """An org chosen as a reform pilot at some level, from its application to demonstration or withdrawal."""

    class Status(models.TextChoices):
        APPLICATION = "application", "申报"
        REVIEW = "review", "审核中"
        APPROVED = "approved", "已批准"
        RUNNING = "running", "实施中"
        ACCEPTANCE = "acceptance", "验收中"
        DEMONSTRATION = "demonstration", "命名示范"
        WITHDRAWN = "withdrawn", "撤销"

    org = models.ForeignKey("orgs.Org", verbose_name="试点单位", on_delete=models.PROTECT, related_name="pilot_units")
    level = models.CharField("试点层级", max_length=12, choices=PilotLevel.choices, db_index=True)
    pilot_type = models.ForeignKey(PilotType, verbose_name="试点类型", on_delete=models.PROTECT, related_name="+")
    batch = models.CharField("批次", max_length=40, blank=True, help_text="如“2024年第一批”")
    period_start = models.DateField("试点开始日期")
    period_end = models.DateField("试点结束日期")
    supervisor = models.ForeignKey(
        "orgs.Org",
        verbose_name="主管产改办",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_pilots",
    )
    summary = models.TextField("试点内容", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.APPLICATION)
    approval_no = models.CharField("批准文号", max_length=60, blank=True)
    demonstration_title = models.CharField("示范称号", max_length=60, blank=True)
    applied_on = models.DateField("申报日期", null=True, blank=True)
    approved_on = models.DateField("批准日期", null=True, blank=True)
    demonstration_on = models.DateField("命名日期", null=True, blank=True)
    withdrawn_on = models.DateField("撤销日期", null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PilotUnitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "试点单位"
        ordering = ["-period_start", "-pk"]
        permissions = [("review_pilotunit", "审核、批准、命名试点")]
        indexes = [models.Index(fields=["status", "level"]), models.Index(fields=["approved_on", "withdrawn_on"])]

    def __str__(self):
        return f"{self.org.name}（{self.get_level_display()}）"

    def get_additional_data(self):
        return {"org_path": self.org.path}

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.DEMONSTRATION, self.Status.WITHDRAWN)


class PilotEvent(models.Model):
    """The timeline of a pilot: every transition with who recorded it, when, and the date it took effect."""

    class Action(models.TextChoices):
        APPLIED = "applied", "提交申报"
        REVIEW_STARTED = "review_started", "受理审核"
        APPROVED = "approved", "批准试点"
        STARTED = "started", "启动实施"
        ACCEPTANCE_REQUESTED = "acceptance_requested", "申请验收"
        DEMONSTRATION_NAMED = "demonstration_named", "命名示范"
        WITHDRAWN = "withdrawn", "撤销试点"
        EDITED = "edited", "修改申报信息"

    pilot = models.ForeignKey(PilotUnit, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=24, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=16, choices=PilotUnit.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=PilotUnit.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("记录时间", default=timezone.now)
    on = models.DateField("生效日期")
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "试点进程记录"
        ordering = ["on", "at", "pk"]

    def __str__(self):
        return f"{self.pilot} {self.get_action_display()}"


class PilotProjectQuerySet(ScopedQuerySet):
    scope_field = "pilot__org"


class PilotProject(TimeStampedModel):
    """A concrete project a pilot unit carries out, with its target, deadline and progress."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未启动"
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已完成"
        STOPPED = "stopped", "已终止"

    pilot = models.ForeignKey(PilotUnit, verbose_name="试点单位", on_delete=models.CASCADE, related_name="projects")
    title = models.CharField("项目名称", max_length=120)
    pillar = models.CharField("所属板块", max_length=16, choices=Pillar.choices)
    target = models.TextField("目标任务")
    owner = models.CharField("责任人", max_length=40, blank=True)
    start_date = models.DateField("开始日期")
    deadline = models.DateField("完成时限")
    progress = models.PositiveSmallIntegerField("进度（%）", default=0, validators=[MaxValueValidator(100)])
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    note = models.TextField("进展情况", blank=True)
    plan_item = models.OneToOneField(
        "worklists.PlanItem",
        verbose_name="清单任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pilot_project",
        help_text="项目在主管产改办的试点项目清单中按节点报送进展、亮灯督办。",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PilotProjectQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "试点项目"
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.pilot.org.path}

    def expected_progress(self, on=None) -> int:
        """The share of the project's time elapsed on `on`, in percent: where progress should be by then."""
        on = on or timezone.localdate()
        if on <= self.start_date:
            return 0
        if on >= self.deadline:
            return 100
        return int((on - self.start_date).days * 100 / max((self.deadline - self.start_date).days, 1))

    def is_on_track(self, on=None) -> bool:
        if self.status == self.Status.DONE:
            return True
        if self.status == self.Status.STOPPED:
            return False
        return self.progress >= self.expected_progress(on)


class PairingQuerySet(ScopedQuerySet):
    scope_field = "lead_org"


class Pairing(TimeStampedModel):
    """A pairing agreement (结对) between a lead enterprise and the small firms it helps."""

    title = models.CharField("结对名称", max_length=120)
    lead_org = models.ForeignKey(
        "orgs.Org", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_pairings"
    )
    partners = models.ManyToManyField("orgs.Org", verbose_name="结对单位", related_name="partner_pairings")
    pilot = models.ForeignKey(
        PilotUnit, verbose_name="所属试点", null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings"
    )
    signed_on = models.DateField("签订日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    content = models.TextField("结对内容")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "结对共建"
        ordering = ["-signed_on", "-pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.lead_org.path}


PilotStatus = PilotUnit.Status  # a module-level name for the API schema's enum naming

ProjectStatus = PilotProject.Status  # a module-level name for the API schema's enum naming
