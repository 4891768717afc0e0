import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from changai.core.models import ScopedQuerySet
from changai.indicators.models import Pillar


class Category(models.Model):
    """A configurable kind of demand with its own clock: acknowledge and answer within N working days."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=40)
    pillar = models.CharField("所属板块", max_length=16, choices=Pillar.choices)
    ack_days = models.PositiveSmallIntegerField("签收时限（工作日）", default=2)
    answer_days = models.PositiveSmallIntegerField("答复时限（工作日）", default=10)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求类别"
        ordering = ["sort", "pk"]

    def __str__(self):
        return self.name


class DemandQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Demands about orgs in scope, and demands routed to one of the user's units."""
        from changai.accounts.scope import scope_for

        if not user.is_authenticated:
            return self.none()
        units = [m.org_id for m in user.active_memberships()]
        routed = Assignment.objects.filter(unit__in=units).values("demand_id")
        return self.filter(Q(scope_for(user).q("org")) | Q(pk__in=routed))


class Demand(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "待分办"
        ROUTED = "routed", "办理中"
        ANSWERED = "answered", "已答复"
        IMPLEMENTING = "implementing", "落实中"
        IMPLEMENTED = "implemented", "已落实"
        CLOSED = "closed", "已办结"
        MERGED = "merged", "已合并"

    class Channel(models.TextChoices):
        WEB = "web", "网页填报"
        PHONE = "phone", "手机扫码"
        IMPORT = "import", "批量导入"

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    number = models.CharField("编号", max_length=20, unique=True)
    org = models.ForeignKey("orgs.Org", verbose_name="涉及企业/单位", on_delete=models.PROTECT, related_name="demands")
    title = models.CharField("标题", max_length=120)
    content = models.TextField("诉求内容")
    category = models.ForeignKey(Category, verbose_name="类别", on_delete=models.PROTECT)
    channel = models.CharField("来源", max_length=8, choices=Channel.choices, default=Channel.WEB)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raiser_name = models.CharField("提出人姓名", max_length=40, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    contact = models.CharField("联系方式（仅承办产改办可见）", max_length=60, blank=True)
    follow_token = models.CharField(
        "跟踪码",
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text="手机扫码提出的职工凭此私密链接查看进展、确认落实并评价。",
    )
    status = models.CharField("状态", max_length=14, choices=Status.choices, default=Status.NEW, db_index=True)
    returned = models.BooleanField("曾被退回", default=False)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    plan_text = models.TextField("落实计划", blank=True)
    plan_date = models.DateField("计划落实日期", null=True, blank=True)
    implementation_note = models.TextField("落实情况", blank=True)
    implementation_reported_at = models.DateTimeField("落实报告时间", null=True, blank=True)
    implemented_at = models.DateTimeField("确认落实时间", null=True, blank=True)
    confirmed_by_office = models.BooleanField("由产改办确认", default=False)
    rating = models.CharField("评价", max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=300, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    created_at = models.DateTimeField("提出时间", default=timezone.now, db_index=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "诉求"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_additional_data(self):
        return {"org_path": self.org.path}

    @property
    def raiser_label(self) -> str:
        if self.anonymous:
            return "匿名"
        return self.raiser_name or (str(self.raised_by) if self.raised_by else "—")


class Assignment(models.Model):
    """A demand routed to one unit (the lead or a co-handling unit), with its own clock."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "协办"

    class Status(models.TextChoices):
        PENDING = "pending", "待签收"
        ACKNOWLEDGED = "acknowledged", "办理中"
        ANSWERED = "answered", "已答复"
        RETURNED = "returned", "已退回"

    class Escalation(models.TextChoices):
        NONE = "", "—"
        CHASED = "chased", "已催办"
        CIRCULATED = "circulated", "已通报"

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Org", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("角色", max_length=4, choices=Role.choices)
    status = models.CharField("状态", max_length=14, choices=Status.choices, default=Status.PENDING)
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    routed_at = models.DateTimeField("分办时间", default=timezone.now)
    ack_due = models.DateField("签收期限")
    answer_due = models.DateField("答复期限")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    policy_basis = models.CharField("政策依据", max_length=300, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    extension_until = models.DateField("申请延期至", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    extension_approved = models.BooleanField("延期已批准", null=True, blank=True)
    escalation = models.CharField("督办", max_length=10, choices=Escalation.choices, blank=True, default="")
    chased_at = models.DateTimeField("催办时间", null=True, blank=True)
    circulated_at = models.DateTimeField("通报时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分办记录"
        ordering = ["demand", "role", "pk"]

    def __str__(self):
        return f"{self.demand.number} → {self.unit}"

    @property
    def due(self):
        """The answer deadline in force: the approved extension if there is one."""
        return self.extension_until if self.extension_approved else self.answer_due

    def get_additional_data(self):
        return {"org_path": self.demand.org.path}


class DemandFile(models.Model):
    """A file attached when a demand was raised, or to a unit's answer."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="files")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("附件", upload_to="demands/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "诉求附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class DemandEvent(models.Model):
    """The demand's timeline: every step with who and when."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=20)
    text = models.CharField("内容", max_length=400)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    unit = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class Callback(models.Model):
    """A return visit (回访) by the office to the raiser of a closed demand."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="callbacks")
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    visited_on = models.DateField("回访日期")
    satisfied = models.BooleanField("回访满意")
    note = models.CharField("回访记录", max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = "回访记录"
        ordering = ["-visited_on"]


def new_box_token() -> str:
    return secrets.token_urlsafe(16)


class DemandBox(models.Model):
    """An enterprise's QR-code page: its workers raise demands from their phones without an account."""

    org = models.OneToOneField("orgs.Org", verbose_name="企业", on_delete=models.CASCADE, related_name="demand_box")
    token = models.CharField("链接令牌", max_length=40, unique=True, default=new_box_token)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "扫码提诉求"

    def __str__(self):
        return f"{self.org}的扫码提诉求"

    def get_additional_data(self):
        return {"org_path": self.org.path}
