from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from changai.core.models import ScopedQuerySet
from changai.core.periods import InvalidPeriod, Period

from .extraction import ABOUT, EXACT, NEARLY, OVER, UNDER


class NarrativeReport(models.Model):
    """A narrative report (工作总结、经验材料) uploaded by or for an org, and the text the figures were read from."""

    class FileType(models.TextChoices):
        TXT = "txt", "文本"
        DOCX = "docx", "Word"
        PDF = "pdf", "PDF"
        PASTED = "pasted", "粘贴文本"

    org = models.ForeignKey(
        "orgs.Org", verbose_name="报送单位", on_delete=models.PROTECT, related_name="narrative_reports"
    )
    period = models.CharField("所属期间", max_length=8, help_text="如 2024、2024H1、2024Q2、2024M06")
    title = models.CharField("标题", max_length=200)
    file = models.FileField("原文件", upload_to="narratives/%Y/%m/", blank=True)
    filename = models.CharField("原文件名", max_length=255, blank=True)
    file_type = models.CharField("文件类型", max_length=8, choices=FileType.choices)
    text = models.TextField("正文", help_text="从文件中提取的文字；识别出的数字以其中的位置定位")
    author = models.CharField("识别的作者单位", max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "材料"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"org_path": self.org.path}


class FactQuerySet(ScopedQuerySet):
    scope_field = "report__org"


class FactProposal(models.Model):
    """One figure the platform read in a report, and what a reviewer made of it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审核"
        ACCEPTED = "accepted", "已采用"
        CORRECTED = "corrected", "已更正采用"
        REJECTED = "rejected", "已忽略"

    class Qualifier(models.TextChoices):
        EXACT = EXACT, "确数"
        OVER = OVER, "以上（超/余/多）"
        ABOUT = ABOUT, "约数"
        NEARLY = NEARLY, "接近（近）"
        UNDER = UNDER, "不到"

    report = models.ForeignKey(NarrativeReport, on_delete=models.CASCADE, related_name="proposals")
    position = models.PositiveIntegerField("序号")
    start = models.PositiveIntegerField("数字起点")
    end = models.PositiveIntegerField("数字终点")
    quote_start = models.PositiveIntegerField("引文起点")
    quote_end = models.PositiveIntegerField("引文终点")
    quote = models.CharField("引文", max_length=300)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    value_max = models.DecimalField("范围上限", max_digits=20, decimal_places=4, null=True, blank=True)
    unit = models.CharField("单位", max_length=12)
    qualifier = models.CharField("限定", max_length=8, choices=Qualifier.choices, default=Qualifier.EXACT)
    period_phrase = models.CharField("时间表述", max_length=40, blank=True)
    subject = models.CharField("所指单位", max_length=120, blank=True)
    suggested_indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name="建议指标",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name="采用为指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name="计入单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField("计入期间", max_length=8, blank=True)
    accepted_value = models.DecimalField("采用数值", max_digits=20, decimal_places=4, null=True, blank=True)
    data_value = models.ForeignKey(
        "indicators.DataValue",
        verbose_name="数据值",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="narrative_facts",
    )
    created_value = models.BooleanField("新建了数据值", default=False)
    note = models.CharField("审核说明", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "材料数字"
        ordering = ["report", "position"]
        indexes = [models.Index(fields=["report", "status"])]

    def __str__(self):
        return f"{self.figure}{self.unit}（{self.report}）"

    @property
    def figure(self) -> str:
        low = f"{Decimal(self.value).normalize():f}"
        return f"{low}-{Decimal(self.value_max).normalize():f}" if self.value_max is not None else low

    @property
    def period_label(self) -> str:
        try:
            return Period.parse(self.period).label
        except InvalidPeriod:
            return self.period

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PROPOSED

    @property
    def is_taken(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.CORRECTED)

    def get_additional_data(self):
        return {"org_path": self.report.org.path}
