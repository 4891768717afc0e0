from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from changai.core.models import ScopedQuerySet


class ScorecardQuerySet(ScopedQuerySet):
    """The assessing office's scope sees the scorecard; an assessed org sees it once it is open."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        in_scope = super().visible_to(user).values("pk")
        assessed = Assessee.objects.own(user).values("scorecard")
        return self.filter(Q(pk__in=in_scope) | Q(pk__in=assessed))


class Scorecard(models.Model):
    """An office's annual assessment (考核) of the orgs under it, e.g. 3 points of the towns' Party-building score."""

    class Status(models.TextChoices):
        DRAFT = "draft", "准备中"
        OPEN = "open", "评分中"
        CLOSED = "closed", "已结束"

    org = models.ForeignKey("orgs.Org", verbose_name="考核单位", on_delete=models.PROTECT, related_name="scorecards")
    year = models.PositiveIntegerField("考核年度")
    title = models.CharField("名称", max_length=120)
    max_points = models.DecimalField(
        "满分", max_digits=6, decimal_places=2, help_text="计入党建考核的分值，如乡镇3分、县级部门5分"
    )
    description = models.TextField("说明", blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    opened_at = models.DateTimeField("开始评分时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "考核"
        ordering = ["-year", "org", "pk"]

    def __str__(self):
        return f"{self.year}年{self.title}"

    def get_additional_data(self):
        return {"org_path": self.org.path}


class ScoreRule(models.Model):
    """One line of the scoring table: what is scored, how, and for how many points."""

    class Kind(models.TextChoices):
        MANUAL = "manual", "人工评分"
        OVERDUE_CHECKPOINTS = "overdue_checkpoints", "逾期报送扣分"
        BRAND_BONUS = "brand_bonus", "品牌加分"
        ITEMS_COMPLETED = "items_completed", "任务完成率"

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField("考核内容", max_length=120)
    kind = models.CharField("计分方式", max_length=20, choices=Kind.choices, default=Kind.MANUAL)
    points = models.DecimalField(
        "分值",
        max_digits=6,
        decimal_places=2,
        help_text="人工评分、任务完成率：满分；逾期报送扣分：起评分；品牌加分：每个品牌加分",
    )
    per_unit_deduction = models.DecimalField("每次扣分", max_digits=6, decimal_places=2, default=Decimal("0"))
    cap = models.DecimalField("加分上限", max_digits=6, decimal_places=2, null=True, blank=True)
    description = models.CharField("评分标准", max_length=300, blank=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评分细则"
        ordering = ["scorecard", "sort", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_auto(self) -> bool:
        return self.kind != self.Kind.MANUAL

    @property
    def max_score(self) -> Decimal:
        """The most this rule can give: its cap for a brand bonus, its points otherwise."""
        if self.kind == self.Kind.BRAND_BONUS and self.cap is not None:
            return self.cap
        return self.points

    def get_additional_data(self):
        return {"org_path": self.scorecard.org.path}


class AssesseeQuerySet(ScopedQuerySet):
    scope_field = "scorecard__org"

    def own(self, user):
        """Rows of the user's own orgs in scorecards that are no longer being prepared."""
        if not user.is_authenticated:
            return self.none()
        orgs = [m.org_id for m in user.active_memberships()]
        return self.filter(org__in=orgs).exclude(scorecard__status=Scorecard.Status.DRAFT)

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        in_scope = super().visible_to(user).values("pk")
        return self.filter(Q(pk__in=in_scope) | Q(pk__in=self.own(user).values("pk")))


class Assessee(models.Model):
    """An org assessed by a scorecard."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="assessees")
    org = models.ForeignKey("orgs.Org", verbose_name="被考核单位", on_delete=models.PROTECT, related_name="+")

    objects = AssesseeQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "被考核单位"
        ordering = ["scorecard", "org__path"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "org"], name="one_assessee_per_org")]

    def __str__(self):
        return self.org.name

    def get_additional_data(self):
        return {"org_path": self.scorecard.org.path}


class ScoreQuerySet(ScopedQuerySet):
    scope_field = "assessee__scorecard__org"

    def visible_to(self, user):
        return self.filter(assessee__in=Assessee.objects.visible_to(user))


class Score(models.Model):
    """One assessee's marks on one rule: its own, the office's and the platform's, with the evidence behind them."""

    assessee = models.ForeignKey(Assessee, on_delete=models.CASCADE, related_name="scores")
    rule = models.ForeignKey(ScoreRule, on_delete=models.CASCADE, related_name="scores")
    self_score = models.DecimalField("自评分", max_digits=6, decimal_places=2, null=True, blank=True)
    self_comment = models.TextField("自评说明", blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_at = models.DateTimeField("自评时间", null=True, blank=True)
    reviewer_score = models.DecimalField("考核评分", max_digits=6, decimal_places=2, null=True, blank=True)
    reviewer_comment = models.TextField("评分说明", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("评分时间", null=True, blank=True)
    auto_score = models.DecimalField("系统计分", max_digits=6, decimal_places=2, null=True, blank=True)
    evidence = models.JSONField("计分依据", default=dict, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "考核得分"
        ordering = ["assessee", "rule__sort", "rule__pk"]
        constraints = [models.UniqueConstraint(fields=["assessee", "rule"], name="one_score_per_rule")]
        permissions = [("self_score", "可填报考核自评"), ("review_score", "可考核评分")]

    def __str__(self):
        return f"{self.assessee} · {self.rule}"

    @property
    def effective(self) -> Decimal | None:
        """The mark that counts: the reviewer's, else the platform's."""
        return self.reviewer_score if self.reviewer_score is not None else self.auto_score

    def get_additional_data(self):
        return {"org_path": self.assessee.scorecard.org.path}


ScorecardStatus = Scorecard.Status  # a module-level name for the API schema's enum naming
