"""Training (培训): courses, classes and their sessions, enrolment, attendance in person-times, completion;
education upgrades (求学圆梦) and the scholarships paid towards them.

A person-time (人次) is one enrolled worker present at one session of a class: a worker who attends all
six sessions of a class counts six person-times, and one session is never counted twice for one person
(a unique constraint on Attendance). Online classes are counted the same way, a session being one
online lesson. Figures count a session in the period it was held, at the enterprise the worker was
enrolled from.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from changai.core.models import ScopedQuerySet


def _scope(user):
    from changai.accounts.scope import scope_for

    return scope_for(user)


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "线下面授"
    ONLINE = "online", "线上"


class CourseQuerySet(ScopedQuerySet):
    scope_field = "organiser"


class Course(models.Model):
    """What is taught: a course an organiser runs one or more classes of."""

    title = models.CharField("课程名称", max_length=120)
    organiser = models.ForeignKey(
        "orgs.Org", verbose_name="主办单位", on_delete=models.PROTECT, related_name="training_courses"
    )
    mode = models.CharField("培训方式", max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    hours = models.DecimalField(
        "课程学时",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text="课程的总学时，新开班级的结业学时默认与此相同。",
    )
    occupation = models.ForeignKey(
        "workers.Occupation",
        verbose_name="对应职业（工种）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField("课程简介", blank=True)
    is_active = models.BooleanField("启用", default=True, help_text="停用的课程不能再开新班，已开班级不受影响。")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "培训课程"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.organiser.path}


class ClassQuerySet(ScopedQuerySet):
    scope_field = "organiser"

    def visible_to(self, user):
        """Classes organised in scope, and classes a worker of an enterprise in scope is enrolled in."""
        scope = _scope(user)
        if scope.everything:
            return self.all()
        enrolled = Enrolment.objects.filter(scope.q("enterprise")).values("training_class_id")
        return self.filter(scope.q("organiser") | Q(pk__in=enrolled))


class TrainingClass(models.Model):
    """One run of a course (培训班): dates, place, places available and the hours needed to complete it."""

    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.PROTECT, related_name="classes")
    organiser = models.ForeignKey(
        "orgs.Org", verbose_name="主办单位", on_delete=models.PROTECT, related_name="training_classes"
    )
    title = models.CharField("班级名称", max_length=120, help_text="如“2025年第一期数控车工技能提升班”。")
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结业日期")
    place = models.CharField("培训地点", max_length=120, blank=True, help_text="线上班级可填写平台名称。")
    capacity = models.PositiveIntegerField(
        "限额人数", validators=[MinValueValidator(1)], help_text="报名人数达到限额后不能再报名。"
    )
    required_hours = models.DecimalField(
        "结业学时",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text="学员实际参训学时达到此数才能结业。",
    )
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ClassQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "培训班"
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["organiser", "starts_on"])]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.organiser.path}

    @property
    def mode(self) -> str:
        return self.course.mode


class TrainingSession(models.Model):
    """One session (课次) of a class; attendance is marked per session."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField("课次")
    held_on = models.DateField("上课日期")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))])
    topic = models.CharField("内容", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "培训课次"
        ordering = ["training_class_id", "number"]
        constraints = [models.UniqueConstraint(fields=["training_class", "number"], name="one_number_per_class")]
        indexes = [models.Index(fields=["held_on"])]

    def __str__(self):
        return f"第{self.number}次课（{self.held_on:%Y-%m-%d}）"


class EnrolmentQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Enrolments in classes organised in scope, and those of workers of enterprises in scope."""
        scope = _scope(user)
        return self.filter(scope.q("enterprise") | scope.q("training_class__organiser"))


class Enrolment(models.Model):
    """A worker on a class roster; the attended totals are kept from the Attendance rows."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.CASCADE, related_name="enrolments"
    )
    worker = models.ForeignKey(
        "workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="training_enrolments"
    )
    enterprise = models.ForeignKey(
        "orgs.Org",
        verbose_name="报名时所在企业",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="报名时职工的工作单位；职工调动后，培训记录仍计在原单位。",
    )
    enrolled_on = models.DateField("报名日期")
    attended_sessions = models.PositiveIntegerField("出勤课次", default=0)
    attended_hours = models.DecimalField("参训学时", max_digits=6, decimal_places=1, default=Decimal("0"))
    completed = models.BooleanField("已结业", default=False)
    completed_on = models.DateField("结业日期", null=True, blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "培训报名"
        ordering = ["training_class_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "worker"], name="one_enrolment_per_class"),
            models.CheckConstraint(
                condition=Q(completed=False) | Q(completed_on__isnull=False), name="completed_has_a_date"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "completed_on"])]

    def __str__(self):
        return f"{self.worker.name} @ {self.training_class.title}"

    def get_additional_data(self):
        return {"org_path": self.enterprise.path}


class Attendance(models.Model):
    """One person-time: an enrolled worker present at one session."""

    session = models.ForeignKey(
        TrainingSession, verbose_name="课次", on_delete=models.CASCADE, related_name="attendances"
    )
    enrolment = models.ForeignKey(Enrolment, verbose_name="报名", on_delete=models.CASCADE, related_name="attendances")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "出勤记录"
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="one_attendance_per_session")]

    def __str__(self):
        return f"{self.enrolment.worker.name} {self.session}"


class StudyLevel(models.TextChoices):
    """The diploma studied for; values match workers.Education so graduating can update the worker's."""

    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"


class UpgradeQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Upgrades of workers of enterprises in scope, and those a payer in scope paid a scholarship to."""
        scope = _scope(user)
        if scope.everything:
            return self.all()
        paid = ScholarshipPayment.objects.filter(scope.q("payer")).values("upgrade_id")
        return self.filter(scope.q("enterprise") | Q(pk__in=paid))


class EducationUpgrade(models.Model):
    """A worker studying for a diploma (求学圆梦)."""

    class Status(models.TextChoices):
        STUDYING = "studying", "在读"
        GRADUATED = "graduated", "已毕业"
        WITHDRAWN = "withdrawn", "已退学"

    worker = models.ForeignKey(
        "workers.Worker", verbose_name="职工", on_delete=models.PROTECT, related_name="education_upgrades"
    )
    enterprise = models.ForeignKey(
        "orgs.Org", verbose_name="所在企业", on_delete=models.PROTECT, related_name="+", help_text="入学时的工作单位。"
    )
    school = models.CharField("就读院校", max_length=120)
    programme = models.CharField("专业", max_length=120)
    level = models.CharField("学历层次", max_length=12, choices=StudyLevel.choices)
    started_on = models.DateField("入学日期")
    expected_on = models.DateField("预计毕业日期")
    graduated_on = models.DateField("毕业日期", null=True, blank=True)
    withdrawn_on = models.DateField("退学日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.STUDYING)
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = UpgradeQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "学历提升"
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "started_on"])]

    def __str__(self):
        return f"{self.worker.name} {self.school}{self.programme}（{self.get_level_display()}）"

    def get_additional_data(self):
        return {"org_path": self.enterprise.path}


class PaymentQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        scope = _scope(user)
        return self.filter(scope.q("upgrade__enterprise") | scope.q("payer"))


class ScholarshipPayment(models.Model):
    """Money paid towards a worker's education upgrade (助学金/奖学金), in yuan."""

    upgrade = models.ForeignKey(
        EducationUpgrade, verbose_name="学历提升", on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(
        "金额（元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField("发放日期")
    payer = models.ForeignKey(
        "orgs.Org", verbose_name="发放单位", on_delete=models.PROTECT, related_name="scholarships_paid"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "助学金发放"
        ordering = ["-paid_on", "-pk"]
        indexes = [models.Index(fields=["paid_on"])]

    def __str__(self):
        return f"{self.upgrade.worker.name} {self.amount}元（{self.paid_on:%Y-%m-%d}）"

    def get_additional_data(self):
        return {"org_path": self.upgrade.enterprise.path}
