from django.conf import settings
from django.db import models
from django.utils import timezone


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to an org; `visible_to(user)` is the only way views reach them."""

    scope_field = "org"

    def visible_to(self, user):
        from changai.accounts.scope import scope_for

        return self.filter(scope_for(user).q(self.scope_field))


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class JobQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(models.Q(created_by=user) | models.Q(pk__in=super().visible_to(user).values("pk")))


class Job(models.Model):
    """A piece of long work (import, rollup, roster, rendering) whose progress a page polls."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=64)
    title = models.CharField("名称", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("进度说明", max_length=300, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    org = models.ForeignKey("orgs.Org", verbose_name="所属组织", null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class ImportBatchQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(models.Q(created_by=user) | models.Q(pk__in=super().visible_to(user).values("pk")))


class ImportBatch(TimeStampedModel):
    """One uploaded sheet on its way through validation, preview and commit (see core/imports.py)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        VALIDATING = "validating", "校验中"
        READY = "ready", "校验通过，待提交"
        INVALID = "invalid", "有错误"
        COMMITTING = "committing", "提交中"
        COMMITTED = "committed", "已导入"
        FAILED = "failed", "失败"

    importer_key = models.CharField("导入类型", max_length=64)
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    filename = models.CharField("原文件名", max_length=255)
    org = models.ForeignKey(
        "orgs.Org", verbose_name="导入范围", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    valid_rows = models.PositiveIntegerField("有效行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    preview = models.JSONField("预览", default=list, blank=True)
    counts = models.JSONField("导入结果", default=dict, blank=True)
    skipped = models.PositiveIntegerField("跳过行数", default=0)
    skip_reasons = models.JSONField("跳过原因", default=dict, blank=True)
    validate_job = models.ForeignKey(
        Job, verbose_name="校验任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commit_job = models.ForeignKey(
        Job, verbose_name="提交任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    committed_at = models.DateTimeField("提交时间", null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "导入批次"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def running_job(self):
        """The job the page should poll, if one is under way."""
        job = self.commit_job if self.status == self.Status.COMMITTING else self.validate_job
        if self.status in (self.Status.UPLOADED, self.Status.VALIDATING, self.Status.COMMITTING) and job:
            return None if job.is_finished else job
        return None

    @property
    def error_count(self) -> int:
        return len(self.errors)


class Notification(models.Model):
    """An in-app message to one user (a reminder to report, a returned form…)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title
