"""Bulletins (专报): series with their own header and numbering, issues drafted from articles, submitted items."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from changai.core.models import ScopedQuerySet
from changai.orgs.models import Kind

# Offices that publish a series: the reform offices of the province, the cities and the counties.
OWNER_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY)
OFFICE_ROLES = ("province_office", "local_office")


def office_org_ids(user) -> set[int] | None:
    """Orgs whose bulletins the user drafts: where the user holds an office role. None means every org (admin)."""
    if not user.is_authenticated:
        return set()
    memberships = list(user.active_memberships())
    if user.is_superuser or any(m.role == "admin" for m in memberships):
        return None
    return {m.org_id for m in memberships if m.role in OFFICE_ROLES}


def _own_office(field: str, user) -> Q:
    offices = office_org_ids(user)
    if offices is None:
        return Q()
    return Q(**{f"{field}__in": offices}) if offices else Q(pk__in=[])


class SeriesQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Series of the offices in scope (to read), and of the offices above the user's orgs (to submit to)."""
        from changai.accounts.scope import scope_for

        if not user.is_authenticated:
            return self.none()
        return self.filter(scope_for(user).q("org") | Q(pk__in=self.open_to(user).values("pk")))

    def open_to(self, user):
        """Active series that accept items from one of the user's orgs: those of the offices above it."""
        if not user.is_authenticated:
            return self.none()
        above = Q(pk__in=[])
        for membership in user.active_memberships():
            path = membership.org.path
            prefixes = [path[:end] for end in range(membership.org.steplen, len(path), membership.org.steplen)]
            if prefixes:
                above |= Q(org__path__in=prefixes)
        return self.filter(above, is_active=True, accepts_items=True)


class Series(models.Model):
    """A bulletin series of one office: its red header, numbering and default distribution."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name="编发单位（组织）", on_delete=models.PROTECT, related_name="bulletin_series"
    )
    name = models.CharField("系列简称", max_length=40, help_text="列表和菜单中显示，如“产改专报”。")
    header = models.CharField(
        "红头名称",
        max_length=80,
        help_text=(
            "版头红字。用空格把机关名称和刊名分开，刊名单独一行大字显示，"
            "如“新时代江苏产业工人队伍建设改革联席会 专报”。"
        ),
    )
    issuing_office = models.CharField("编印单位", max_length=60, help_text="版头左侧和版记印发机关，如“江苏省产改办”。")
    report_to = models.TextField("默认报送（报：）", blank=True, help_text="如“省委、省政府领导，全国总工会产改办”。")
    copy_to = models.TextField("默认抄送（送：）", blank=True, help_text="如“联席会议各成员单位，各设区市总工会”。")
    start_year = models.PositiveSmallIntegerField(
        "启用年度", help_text="本平台开始编号的年度；与下面两项一起接续启用前已出的期数。"
    )
    issued_in_start_year = models.PositiveSmallIntegerField(
        "启用年度内已出期数", default=0, help_text="启用年度内在本平台之外已出的期数；该年第一期编为此数加1。"
    )
    issued_before = models.PositiveIntegerField(
        "启用前累计已出期数", default=0, help_text="总期数从此数加1开始，如已出37期，第一期为“总第38期”。"
    )
    accepts_items = models.BooleanField("接受下级投稿", default=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "专报系列"
        ordering = ["org__path", "name"]

    def __str__(self):
        return f"{self.name}（{self.issuing_office}）"

    def get_additional_data(self):
        return {"org_path": self.org.path}

    @property
    def header_lines(self) -> tuple[str, str]:
        """(issuing body, bulletin name): the name goes on its own line in large type."""
        head, _, name = self.header.strip().rpartition(" ")
        return (head.strip(), name) if head.strip() else ("", name)


class IssueQuerySet(ScopedQuerySet):
    scope_field = "series__org"

    def visible_to(self, user):
        """Signed issues of series in scope or carrying an item from an org in scope; drafts to their own office."""
        from changai.accounts.scope import scope_for

        if not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        signed = Q(status=Issue.Status.SIGNED) & (
            scope.q("series__org") | Q(pk__in=Article.objects.filter(scope.q("source_org")).values("issue_id"))
        )
        drafts = Q(pk__in=[])
        if user.has_perm("bulletins.change_issue"):
            drafts = ~Q(status=Issue.Status.SIGNED) & _own_office("series__org", user)
        return self.filter(signed | drafts)


def _stored_name(prefix: str, suffix: str) -> str:
    return f"bulletins/{timezone.now():%Y/%m}/{prefix}-{uuid.uuid4().hex}{suffix}"


def _docx_path(instance, filename):
    return _stored_name("issue", ".docx")


def _pdf_path(instance, filename):
    return _stored_name("issue", ".pdf")


class Issue(models.Model):
    """One issue of a series: drafted, reviewed and signed off; numbered and frozen at sign-off."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEW = "review", "待签发"
        SIGNED = "signed", "已签发"

    series = models.ForeignKey(Series, verbose_name="专报系列", on_delete=models.PROTECT, related_name="issues")
    title = models.CharField("本期主题", max_length=120, blank=True, help_text="专报库中显示；不填则用头条文章标题。")
    issue_date = models.DateField("印发日期", null=True, blank=True, help_text="不填则为签发当日。")
    report_to = models.TextField("报", blank=True)
    copy_to = models.TextField("送", blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT, db_index=True)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True, db_index=True)
    number = models.PositiveSmallIntegerField("年度期号", null=True, blank=True)
    total_number = models.PositiveIntegerField("总期号", null=True, blank=True)
    review_note = models.CharField("退回意见", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    docx = models.FileField("Word 文件", upload_to=_docx_path, max_length=200, blank=True)
    docx_sha256 = models.CharField("Word 文件校验值", max_length=64, blank=True)
    pdf = models.FileField("PDF 文件", upload_to=_pdf_path, max_length=200, blank=True)
    pdf_job = models.ForeignKey(
        "core.Job", verbose_name="PDF 生成任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_text = models.TextField("全文", blank=True, editable=False)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "专报"
        ordering = ["-signed_at", "-created_at", "-pk"]
        permissions = [("sign_issue", "签发专报")]
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "number"], name="bulletin_number_per_year"),
            models.UniqueConstraint(fields=["series", "total_number"], name="bulletin_total_number"),
        ]

    def __str__(self):
        return f"{self.series.name} {self.number_label}"

    def get_additional_data(self):
        return {"org_path": self.series.org.path}

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def number_label(self) -> str:
        if self.number is None:
            return "（签发时编号）"
        return f"{self.year}年第{self.number}期（总第{self.total_number}期）"

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        lead = next((a for a in self.articles.all() if a.kind == Article.Kind.LEAD), None)
        return lead.title if lead else "（未命名）"


class Article(models.Model):
    """A piece of an issue: a lead article, a short 工作信息 item, or a figures section built from indicators."""

    class Kind(models.TextChoices):
        LEAD = "lead", "主文章"
        INFO = "info", "工作信息"
        FIGURES = "figures", "数据专栏"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="articles")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    position = models.PositiveIntegerField("顺序", default=0)
    title = models.CharField("标题", max_length=120)
    author = models.CharField("署名", max_length=60, blank=True, help_text="主文章标题下的署名，如“江阴市总工会”。")
    body = models.TextField("正文", blank=True)
    source = models.CharField(
        "信息来源", max_length=60, blank=True, help_text="工作信息末尾括号中的来源，如“高邮市总工会”。"
    )
    source_org = models.ForeignKey(
        "orgs.Org", verbose_name="来源单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.OneToOneField(
        "Item", verbose_name="来自投稿", null=True, blank=True, on_delete=models.SET_NULL, related_name="article"
    )
    period = models.CharField("数据期间", max_length=8, blank=True)
    indicator_codes = models.JSONField("指标", default=list, blank=True)
    top_n = models.PositiveSmallIntegerField("列出前几名下级单位", default=5)
    data = models.JSONField("签发时的数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专报文章"
        ordering = ["issue", "position", "pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.issue.series.org.path}


class IssueVersion(models.Model):
    """A snapshot of an issue's content at one save, for history and diffs."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    note = models.CharField("说明", max_length=120)
    snapshot = models.JSONField("内容快照")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "专报版本"
        ordering = ["issue", "-number"]
        constraints = [models.UniqueConstraint(fields=["issue", "number"], name="bulletin_version_number")]

    def __str__(self):
        return f"第{self.number}版 {self.note}"


class ItemQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Items from orgs in scope, and items sent to a series of an office in scope."""
        from changai.accounts.scope import scope_for

        if not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        return self.filter(scope.q("org") | scope.q("series__org"))


class Item(models.Model):
    """A candidate item (投稿) a lower level sends to an office's series; accepted ones become 工作信息."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待处理"
        ACCEPTED = "accepted", "已采用"
        DECLINED = "declined", "未采用"
        WITHDRAWN = "withdrawn", "已撤回"

    series = models.ForeignKey(Series, verbose_name="投往专报", on_delete=models.PROTECT, related_name="items")
    org = models.ForeignKey(
        "orgs.Org", verbose_name="投稿单位", on_delete=models.PROTECT, related_name="bulletin_items"
    )
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文")
    source = models.CharField("署名", max_length=60, help_text="刊发时括号中的来源，如“高邮市总工会”。")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="投稿人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("投稿时间", default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decline_reason = models.CharField("未采用原因", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "专报投稿"
        ordering = ["-submitted_at", "-pk"]
        permissions = [("decide_item", "采用或不采用投稿")]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.org.path}


def _item_file_path(instance, filename):
    return _stored_name("item", PurePath(filename).suffix.lower())


class ItemFile(models.Model):
    """A file sent with an item (photos, the original report); served only through a checked view."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("附件", upload_to=_item_file_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "投稿附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class ItemEvent(models.Model):
    """An item's timeline: submitted, edited, accepted into an issue, declined, published."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    text = models.CharField("内容", max_length=400)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
