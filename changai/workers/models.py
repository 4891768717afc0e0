"""Workers (产业工人): one person, one talent timeline, across the enterprises they work for."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from changai.core.models import ScopedQuerySet


class Occupation(models.Model):
    """An occupation of the national classification (职业分类大典), e.g. 6-18-01-01 车工."""

    code = models.CharField("职业编码", max_length=20, unique=True)
    name = models.CharField("职业名称", max_length=100, db_index=True)
    category = models.CharField("所属大类", max_length=100, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "职业（工种）"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专/技校"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"
    DOCTOR = "doctor", "博士研究生"


class PoliticalStatus(models.TextChoices):
    PARTY = "party", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    LEAGUE = "league", "共青团员"
    OTHER_PARTY = "other_party", "民主党派"
    MASSES = "masses", "群众"


class Sequence(models.TextChoices):
    MANAGEMENT = "management", "管理序列"
    TECHNICAL = "technical", "技术序列"
    SKILLS = "skills", "技能序列"


class WorkerQuerySet(ScopedQuerySet):
    scope_field = "enterprise"


class Worker(models.Model):
    """A person. Identity number and phone are stored encrypted with a keyed hash (workers.pii); the current
    job fields mirror the open Employment, which with the closed ones is the history across employers."""

    name = models.CharField("姓名", max_length=40, db_index=True)
    id_hash = models.CharField("身份证号摘要", max_length=64, unique=True, editable=False)
    id_cipher = models.TextField("身份证号（密文）", editable=False)
    id_masked = models.CharField("身份证号（脱敏）", max_length=18, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    phone_cipher = models.TextField("手机号（密文）", blank=True, editable=False)
    phone_masked = models.CharField("手机号（脱敏）", max_length=20, blank=True, editable=False)
    education = models.CharField("学历", max_length=12, choices=Education.choices, blank=True)
    political_status = models.CharField("政治面貌", max_length=12, choices=PoliticalStatus.choices, blank=True)
    enterprise = models.ForeignKey(
        "orgs.Org",
        verbose_name="现工作单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
        limit_choices_to={"kind": "enterprise"},
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name="职业（工种）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frontline = models.BooleanField("一线职工", default=True)
    hired_on = models.DateField("入职日期", null=True, blank=True)
    sequence = models.CharField("岗位序列", max_length=12, choices=Sequence.choices, default=Sequence.SKILLS)
    grade = models.CharField("岗位等级", max_length=30, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "职工"
        ordering = ["enterprise_id", "name", "pk"]
        indexes = [models.Index(fields=["enterprise", "name"])]
        permissions = [("view_full_number", "查看完整身份证号和手机号")]

    def __str__(self):
        return f"{self.name}（{self.id_masked}）"

    def get_additional_data(self):
        return {"org_path": self.enterprise.path if self.enterprise_id else ""}


class EmploymentQuerySet(ScopedQuerySet):
    scope_field = "enterprise"


class Ending(models.TextChoices):
    LEFT = "left", "离职"
    MOVED = "moved", "调出"


class Employment(models.Model):
    """One stint of a worker at one enterprise; the open one (left_on empty) is the current job.

    left_on is the last working day there; a move closes the old stint the day before the new one starts.
    """

    worker = models.ForeignKey(Worker, verbose_name="职工", on_delete=models.CASCADE, related_name="employments")
    enterprise = models.ForeignKey(
        "orgs.Org", verbose_name="工作单位", on_delete=models.PROTECT, related_name="employments"
    )
    hired_on = models.DateField("入职日期", null=True, blank=True)
    left_on = models.DateField("离职日期", null=True, blank=True)
    occupation = models.ForeignKey(
        Occupation, verbose_name="职业（工种）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frontline = models.BooleanField("一线职工", default=True)
    sequence = models.CharField("岗位序列", max_length=12, choices=Sequence.choices, default=Sequence.SKILLS)
    grade = models.CharField("岗位等级", max_length=30, blank=True)
    ended_by = models.CharField("离开方式", max_length=8, choices=Ending.choices, blank=True)
    leave_reason = models.CharField("离职原因", max_length=100, blank=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "任职经历"
        ordering = ["worker_id", "hired_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=Q(left_on__isnull=True), name="one_open_employment")
        ]

    def __str__(self):
        return f"{self.worker.name} @ {self.enterprise.name}"


class FullNumberView(models.Model):
    """Every time someone saw a worker's full identity number or phone (page, export or API)."""

    class Field(models.TextChoices):
        ID_NUMBER = "id_number", "身份证号"
        PHONE = "phone", "手机号"
        BOTH = "both", "身份证号和手机号"

    class Channel(models.TextChoices):
        PAGE = "page", "页面"
        EXPORT = "export", "导出"
        API = "api", "接口"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查看人", on_delete=models.PROTECT)
    worker = models.ForeignKey(
        Worker, verbose_name="职工", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enterprise = models.ForeignKey(
        "orgs.Org", verbose_name="企业", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField("字段", max_length=10, choices=Field.choices)
    channel = models.CharField("途径", max_length=8, choices=Channel.choices)
    rows = models.PositiveIntegerField("涉及人数", default=1)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    viewed_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    objects = EmploymentQuerySet.as_manager()  # scoped by enterprise too

    class Meta:
        verbose_name = verbose_name_plural = "完整号码查看记录"
        ordering = ["-viewed_at"]
