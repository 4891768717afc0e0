import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from changai.core.models import ScopedQuerySet, TimeStampedModel


class SuggestionCategory(models.Model):
    """A kind of suggestion (技能提升, 工资待遇…), edited in the database."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "建议类别"
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


def new_token() -> str:
    return secrets.token_urlsafe(18)


class SuggestionBoxQuerySet(ScopedQuerySet):
    scope_field = "org"


class SuggestionBox(TimeStampedModel):
    """An enterprise's suggestion box (建议箱): a public page workers reach by phone through an unguessable link."""

    org = models.OneToOneField("orgs.Org", verbose_name="企业", on_delete=models.CASCADE, related_name="suggestion_box")
    token = models.CharField("链接令牌", max_length=40, unique=True, default=new_token)
    is_open = models.BooleanField("接收建议", default=True)

    objects = SuggestionBoxQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "建议箱"

    def __str__(self):
        return f"{self.org.name}建议箱"

    def get_additional_data(self):
        return {"org_path": self.org.path}


class SuggestionQuerySet(ScopedQuerySet):
    scope_field = "org"


class Suggestion(TimeStampedModel):
    """A worker's suggestion for the reform (我为产改献一策, 合理化建议), from receipt to adoption and reward."""

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        ADOPTED = "adopted", "已采纳"
        DECLINED = "declined", "未采纳"

    class Implementation(models.TextChoices):
        NOT_STARTED = "not_started", "未实施"
        IN_PROGRESS = "in_progress", "实施中"
        DONE = "done", "已实施"

    class Channel(models.TextChoices):
        PHONE = "phone", "手机提交"
        FORM = "form", "工会录入"

    org = models.ForeignKey("orgs.Org", verbose_name="企业", on_delete=models.PROTECT, related_name="suggestions")
    title = models.CharField("标题", max_length=120)
    content = models.TextField("建议内容")
    category = models.ForeignKey(
        SuggestionCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="suggestions"
    )
    channel = models.CharField("来源", max_length=8, choices=Channel.choices, default=Channel.FORM)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The proposer's name and phone: shown to the reviewing union and offices only, never in lists or exports.
    contact_name = models.CharField("提出人姓名", max_length=40, blank=True)
    contact_phone = models.CharField("提出人电话", max_length=20, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField("处理意见", blank=True)
    reward = models.DecimalField(
        "奖励金额（元）", max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    implementation = models.CharField(
        "实施情况", max_length=12, choices=Implementation.choices, default=Implementation.NOT_STARTED
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "职工建议"
        ordering = ["-created_at", "-pk"]
        permissions = [("review_suggestion", "处理职工建议（采纳、奖励、实施）")]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["decided_at"])]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.org.path}

    @property
    def proposer(self) -> str:
        """Who it came from, as lists may show it (never the private contact)."""
        if self.channel == self.Channel.PHONE:
            return "职工（手机提交）"
        return str(self.submitter) if self.submitter_id else "—"


class SuggestionEvent(models.Model):
    """The timeline of a suggestion: receipt, decision, reward, implementation."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "提交建议"
        ADOPTED = "adopted", "采纳"
        DECLINED = "declined", "不予采纳"
        REWARDED = "rewarded", "确定奖励"
        IMPLEMENTATION = "implementation", "更新实施情况"

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", default=timezone.now)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "建议办理记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.suggestion} {self.get_action_display()}"


SuggestionStatus = Suggestion.Status  # a module-level name for the API schema's enum naming
