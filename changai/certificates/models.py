"""Skill-level certificates (职业技能等级), engineering titles, and enterprise self-rating (企业自主评价)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from changai.core.models import ScopedQuerySet


class Level(models.IntegerChoices):
    """The new eight-level ladder (新八级工)."""

    APPRENTICE = 1, "学徒工"
    JUNIOR = 2, "初级工（五级）"
    INTERMEDIATE = 3, "中级工（四级）"
    SENIOR = 4, "高级工（三级）"
    TECHNICIAN = 5, "技师（二级）"
    SENIOR_TECHNICIAN = 6, "高级技师（一级）"
    MASTER = 7, "特级技师"
    CHIEF = 8, "首席技师"


HIGH_SKILL_LEVEL = Level.SENIOR  # 高级工 and above count as high-skill workers


def level_name(level) -> str:
    """The short name of a level for sentences: 高级工 rather than 高级工（三级）."""
    return Level(int(level)).label.split("（")[0]


class Route(models.TextChoices):
    SOCIAL = "social", "社会培训评价组织"
    SELF_RATING = "self", "企业自主评价"
    COMPETITION = "competition", "竞赛晋级"
    LEGACY = "legacy", "原职业资格"


class TitleRank(models.IntegerChoices):
    """Engineering titles (工程系列职称); the first three have skill-level equivalents for allowances."""

    ASSISTANT = 4, "助理工程师"
    ENGINEER = 5, "工程师"
    SENIOR = 6, "高级工程师"
    PROFESSOR = 7, "正高级工程师"


class CertificateQuerySet(ScopedQuerySet):
    scope_field = "worker__enterprise"

    def valid_on(self, day):
        return self.filter(issued_on__lte=day, revoked=False).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )


class Certificate(models.Model):
    worker = models.ForeignKey(
        "workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="certificates"
    )
    occupation = models.ForeignKey("workers.Occupation", verbose_name="职业（工种）", on_delete=models.PROTECT)
    level = models.PositiveSmallIntegerField("技能等级", choices=Level.choices)
    number = models.CharField("证书编号", max_length=40)
    route = models.CharField("评价途径", max_length=12, choices=Route.choices)
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至", null=True, blank=True)
    issuer = models.CharField("发证机构", max_length=120, blank=True)
    rating_enterprise = models.ForeignKey(
        "orgs.Org",
        verbose_name="自主评价企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="self_rated_certificates",
    )
    employer = models.ForeignKey(
        "orgs.Org",
        verbose_name="发证时工作单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    batch = models.ForeignKey(
        "RatingBatch", verbose_name="评价批次", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked = models.BooleanField("已撤销", default=False)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "技能等级证书"
        ordering = ["worker_id", "-level", "-issued_on"]
        constraints = [models.UniqueConstraint(fields=["number"], name="certificate_number_unique")]
        indexes = [
            models.Index(fields=["worker", "occupation", "level"]),
            models.Index(fields=["issued_on"]),
            models.Index(fields=["expires_on"], name="certificate_expires_on_idx"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.occupation.name} {self.number}"

    def get_additional_data(self):
        return {"org_path": self.worker.enterprise.path if self.worker.enterprise_id else ""}

    def is_valid_on(self, day) -> bool:
        return not self.revoked and self.issued_on <= day and (self.expires_on is None or self.expires_on >= day)


class EngineeringTitleQuerySet(ScopedQuerySet):
    scope_field = "worker__enterprise"


class EngineeringTitle(models.Model):
    worker = models.ForeignKey("workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="titles")
    rank = models.PositiveSmallIntegerField("职称", choices=TitleRank.choices)
    specialty = models.CharField("专业", max_length=60, blank=True)
    awarded_on = models.DateField("取得日期")
    issuer = models.CharField("评审/认定机构", max_length=120, blank=True)
    via_title_bridge = models.BooleanField("经技能人才贯通评审取得", default=False)

    objects = EngineeringTitleQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "工程技术职称"
        ordering = ["worker_id", "-rank"]

    def __str__(self):
        return f"{self.worker.name} {self.get_rank_display()}"

    def get_additional_data(self):
        return {"org_path": self.worker.enterprise.path if self.worker.enterprise_id else ""}


class AuthorisationQuerySet(ScopedQuerySet):
    scope_field = "enterprise"

    def covering(self, enterprise, occupation, level, day):
        return self.filter(
            enterprise=enterprise, occupation=occupation, max_level__gte=level, valid_from__lte=day, valid_to__gte=day
        )


class SelfRatingAuthorisation(models.Model):
    """An enterprise may rate these occupations up to this level during this period (企业自主评价备案)."""

    enterprise = models.ForeignKey(
        "orgs.Org", verbose_name="企业", on_delete=models.PROTECT, related_name="self_rating_authorisations"
    )
    occupation = models.ForeignKey("workers.Occupation", verbose_name="职业（工种）", on_delete=models.PROTECT)
    max_level = models.PositiveSmallIntegerField("最高可评等级", choices=Level.choices)
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止")
    document = models.CharField("备案文号", max_length=60, blank=True)
    granted_by = models.CharField("备案机构", max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = AuthorisationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "自主评价备案"
        ordering = ["enterprise_id", "occupation_id", "-valid_to"]

    def __str__(self):
        return f"{self.enterprise.name} {self.occupation.name} ≤{self.get_max_level_display()}"

    def get_additional_data(self):
        return {"org_path": self.enterprise.path}

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_to


class BatchQuerySet(ScopedQuerySet):
    scope_field = "enterprise"


class RatingBatch(models.Model):
    """One round of self-rating: candidates sit it, results come in, certificates are issued in bulk."""

    class Status(models.TextChoices):
        DRAFT = "draft", "报名中"
        ASSESSED = "assessed", "已评定"
        ISSUED = "issued", "已发证"

    enterprise = models.ForeignKey("orgs.Org", verbose_name="企业", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("批次名称", max_length=120)
    assessed_on = models.DateField("评价日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    pass_mark = models.DecimalField(
        "合格分数线",
        max_digits=5,
        decimal_places=1,
        default=60,
        help_text="理论和实操成绩都达到该分数且未另填结果的考生评为合格。",
    )
    issued_on = models.DateField("发证日期", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发证人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "评价批次"
        ordering = ["-assessed_on", "-pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.enterprise.path}


class CandidateQuerySet(ScopedQuerySet):
    scope_field = "batch__enterprise"


class Candidate(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", "待评定"
        PASSED = "passed", "合格"
        FAILED = "failed", "不合格"

    batch = models.ForeignKey(RatingBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="candidates")
    worker = models.ForeignKey("workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="+")
    occupation = models.ForeignKey("workers.Occupation", verbose_name="职业（工种）", on_delete=models.PROTECT)
    level = models.PositiveSmallIntegerField("申报等级", choices=Level.choices)
    theory_score = models.DecimalField("理论成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    practice_score = models.DecimalField("实操成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    result = models.CharField("结果", max_length=8, choices=Result.choices, default=Result.PENDING)
    certificate_number = models.CharField(
        "证书编号", max_length=40, blank=True, help_text="留空则发证时按编号规则生成。"
    )
    certificate = models.OneToOneField(
        Certificate, verbose_name="证书", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "评价考生"
        ordering = ["batch_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "worker", "occupation"], name="one_candidacy_per_batch")
        ]

    def __str__(self):
        return f"{self.worker.name} {self.occupation.name} {self.get_level_display()}"

    def get_additional_data(self):
        return {"org_path": self.batch.enterprise.path}
