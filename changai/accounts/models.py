from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from changai.core.models import ScopedQuerySet

from .roles import Role


class ScopedUserManager(UserManager):
    def visible_to(self, user):
        """Users holding (or having held) a membership at an org in the user's scope, and the user."""
        from .scope import scope_for

        if not user.is_authenticated:
            return self.none()
        in_scope = Membership.objects.filter(scope_for(user).q("org")).values("user_id")
        return self.filter(Q(pk__in=in_scope) | Q(pk=user.pk))


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=40, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    must_change_password = models.BooleanField(
        "须修改初始密码", default=True, help_text="由管理员设置的初始密码，首次登录后必须修改。"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        permissions = [("manage_divisions", "维护行政区划")]

    def __str__(self):
        return self.full_name or self.username

    def active_memberships(self, on=None):
        return self.memberships.active(on).select_related("org")

    def get_additional_data(self):
        membership = self.memberships.select_related("org").order_by("-valid_from").first()
        return {"org_path": membership.org.path} if membership else {}


class MembershipQuerySet(ScopedQuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class Membership(models.Model):
    """A user's role at an org for a span of dates; it gives both what they may do and where."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey("orgs.Org", verbose_name="所在组织", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    title = models.CharField("职务", max_length=40, blank=True)
    valid_from = models.DateField("起始日期", default=timezone.localdate)
    valid_to = models.DateField("终止日期", null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "任职授权"
        ordering = ["user", "-valid_from"]

    def __str__(self):
        return f"{self.user} · {self.org} · {self.get_role_display()}"

    def get_additional_data(self):
        return {"org_path": self.org.path}


class LoginEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGOUT = "logout", "退出"
        FAILURE = "failure", "登录失败"

    kind = models.CharField("事件", max_length=10, choices=Kind.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField("用户名", max_length=150)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录日志"
        ordering = ["-at"]
