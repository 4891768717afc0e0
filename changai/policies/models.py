import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from changai.core.models import ScopedQuerySet, TimeStampedModel
from changai.orgs.models import Kind

# Who may issue a policy: offices and the member units beside them (never an enterprise).
ISSUER_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK, Kind.MEMBER_UNIT, Kind.INDUSTRY_LINE)
# The levels a policy can be sent down to.
TARGET_KINDS = (Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK, Kind.ENTERPRISE, Kind.MEMBER_UNIT)


class PolicyQuerySet(ScopedQuerySet):
    scope_field = "issuer"

    def visible_to(self, user):
        """Policies issued by orgs in the user's scope, and policies sent to one of the user's own orgs."""
        from changai.accounts.scope import scope_for

        if not user.is_authenticated:
            return self.none()
        units = [m.org_id for m in user.active_memberships()]
        targeted = Q(pk__in=Receipt.objects.filter(org__in=units).values("policy_id")) if units else Q(pk__in=[])
        return self.filter(scope_for(user).q(self.scope_field) | targeted)


class Policy(TimeStampedModel):
    """A policy measure (政策举措) an office pushes down to the orgs below it, with read receipts."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    title = models.CharField("标题", max_length=200)
    issuer = models.ForeignKey(
        "orgs.Org", verbose_name="发布单位", on_delete=models.PROTECT, related_name="issued_policies"
    )
    doc_number = models.CharField("文号", max_length=60, blank=True, help_text="如“苏产改办〔2025〕5号”")
    body = models.TextField("政策内容")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("有效期至", null=True, blank=True, help_text="长期有效的留空")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    target_kinds = models.JSONField("发送层级", default=list, blank=True)
    pilots_only = models.BooleanField("仅限试点单位", default=False)
    listed_orgs = models.ManyToManyField("orgs.Org", verbose_name="指定单位", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起草人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "政策举措"
        ordering = ["-published_at", "-pk"]
        permissions = [("publish_policy", "发布、撤回政策并催阅")]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.issuer.path}

    def target_kind_labels(self) -> list[str]:
        return [Kind(kind).label for kind in self.target_kinds if kind in Kind.values]


def _attachment_path(instance, filename):
    # A random stored name: the original name is kept in the row and given back on download.
    return f"policies/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class PolicyAttachment(models.Model):
    """A file of a policy (the document itself, forms, explanations); served only through a checked view."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=_attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "政策附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class Receipt(models.Model):
    """One target org's receipt of a published policy: read the first time one of its users opens it."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="receipts")
    org = models.ForeignKey(
        "orgs.Org", verbose_name="接收单位", on_delete=models.CASCADE, related_name="policy_receipts"
    )
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="阅读人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField("最近催阅时间", null=True, blank=True)
    remind_count = models.PositiveSmallIntegerField("催阅次数", default=0)
    created_at = models.DateTimeField("送达时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "政策回执"
        ordering = ["org__path"]
        constraints = [models.UniqueConstraint(fields=["policy", "org"], name="receipt_one_per_org")]
        indexes = [models.Index(fields=["policy", "read_at"]), models.Index(fields=["org", "read_at"])]

    def __str__(self):
        return f"{self.policy} → {self.org}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class PolicyEvent(models.Model):
    """The timeline of a policy: drafting, publishing, reminders, withdrawal."""

    class Action(models.TextChoices):
        CREATED = "created", "起草"
        EDITED = "edited", "修改"
        ATTACHED = "attached", "上传附件"
        DETACHED = "detached", "删除附件"
        PUBLISHED = "published", "发布"
        REMINDED = "reminded", "催阅"
        WITHDRAWN = "withdrawn", "撤回"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", default=timezone.now)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策办理记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.policy} {self.get_action_display()}"


PolicyStatus = Policy.Status  # a module-level name for the API schema's enum naming
