"""Career bridges (职业发展立交桥): moves between posts and sequences, and the title bridge by which skilled
workers apply for engineering titles (技能人才与工程技术人才职业发展贯通)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from changai.certificates.models import Level, TitleRank
from changai.core.models import ScopedQuerySet
from changai.workers.models import Sequence


class MoveQuerySet(ScopedQuerySet):
    scope_field = "enterprise"


class CareerMove(models.Model):
    """A worker's change of post: within a sequence (promotion) or between sequences, applied to the ledger."""

    class Kind(models.TextChoices):
        VERTICAL = "vertical", "纵向晋升"
        HORIZONTAL = "horizontal", "横向转换"

    worker = models.ForeignKey("workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="moves")
    enterprise = models.ForeignKey(
        "orgs.Org", verbose_name="所在企业", on_delete=models.PROTECT, related_name="+", help_text="变动时的工作单位。"
    )
    kind = models.CharField("变动类型", max_length=10, choices=Kind.choices)
    from_sequence = models.CharField("原岗位序列", max_length=12, choices=Sequence.choices)
    from_grade = models.CharField("原岗位等级", max_length=30, blank=True)
    to_sequence = models.CharField("新岗位序列", max_length=12, choices=Sequence.choices)
    to_grade = models.CharField("新岗位等级", max_length=30, blank=True)
    frontline_promotion = models.BooleanField(
        "一线职工晋升管理岗位", default=False, help_text="变动前为一线职工、从技能或技术序列进入管理序列。"
    )
    effective_on = models.DateField("生效日期")
    approving_body = models.CharField("批准机构", max_length=120, help_text="如“公司人力资源部”“公司党委会”。")
    approving_org = models.ForeignKey(
        "orgs.Org",
        verbose_name="批准单位（平台内）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    document = models.CharField("文号", max_length=60, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = MoveQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "岗位变动"
        ordering = ["-effective_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "effective_on"]), models.Index(fields=["worker", "effective_on"])]

    def __str__(self):
        return f"{self.worker.name} {self.get_kind_display()}（{self.effective_on:%Y-%m-%d}）"

    def get_additional_data(self):
        return {"org_path": self.enterprise.path}

    @property
    def from_label(self) -> str:
        return " ".join(part for part in (self.get_from_sequence_display(), self.from_grade) if part)

    @property
    def to_label(self) -> str:
        return " ".join(part for part in (self.get_to_sequence_display(), self.to_grade) if part)


class ApplicationQuerySet(ScopedQuerySet):
    scope_field = "enterprise"


class TitleApplication(models.Model):
    """A skilled worker's application for an engineering title through the bridge, and its outcome."""

    class Status(models.TextChoices):
        APPLIED = "applied", "已申报"
        PASSED = "passed", "评审通过"
        FAILED = "failed", "未通过"

    worker = models.ForeignKey(
        "workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="title_applications"
    )
    enterprise = models.ForeignKey(
        "orgs.Org", verbose_name="所在企业", on_delete=models.PROTECT, related_name="+", help_text="申报时的工作单位。"
    )
    target_rank = models.PositiveSmallIntegerField("申报职称", choices=TitleRank.choices)
    qualifying_level = models.PositiveSmallIntegerField("申报依据的技能等级", choices=Level.choices)
    specialty = models.CharField("申报专业", max_length=60, blank=True)
    body = models.CharField("评审机构", max_length=120, help_text="如“江苏省机械工程专业高级职称评审委员会”。")
    submitted_on = models.DateField("申报日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.APPLIED)
    decided_on = models.DateField("评审结果日期", null=True, blank=True)
    decision_note = models.CharField("评审意见", max_length=300, blank=True)
    title = models.OneToOneField(
        "certificates.EngineeringTitle",
        verbose_name="取得的职称",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bridge_application",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "贯通评审申报"
        ordering = ["-submitted_on", "-pk"]
        permissions = [("decide_titleapplication", "登记贯通评审结果")]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(status="applied"), name="one_pending_title_application"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "decided_on"])]

    def __str__(self):
        return f"{self.worker.name} 申报{self.get_target_rank_display()}"

    def get_additional_data(self):
        return {"org_path": self.enterprise.path}
