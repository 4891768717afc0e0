from django.urls import reverse

from .models import Notification


def navigation(request):
    """Menu entries the current user may use; nothing is shown that does not exist."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = [("首页", reverse("home"), "home")]
    if user.has_perm("indicators.view_indicator"):
        items.append(("数据看板", reverse("dashboards:home"), "dashboard"))
        items.append(("指标查询", reverse("dashboards:explorer"), "explorer"))
    if user.has_perm("orgs.view_org"):
        items.append(("组织机构", reverse("orgs:tree"), "orgs"))
    if user.has_perm("indicators.view_submission"):
        items.append(("数据填报", reverse("figures:tasks"), "figures"))
    if user.has_perm("worklists.view_planitem"):
        # Units that only report land on their own tasks; offices and readers on the plans.
        reporter = user.has_perm("worklists.add_progress") and not user.has_perm("worklists.change_plan")
        items.append(("工作清单", reverse("worklists:my_tasks" if reporter else "worklists:plan_list"), "worklists"))
    if user.has_perm("supervision.view_spotcheck"):
        items.append(("督查与品牌", reverse("supervision:spotcheck_list"), "supervision"))
    if user.has_perm("indicators.view_indicator"):
        items.append(("指标目录", reverse("figures:indicator_list"), "catalogue"))
    if user.has_perm("pilots.view_pilotunit"):
        items.append(("试点示范", reverse("pilots:list"), "pilots"))
    if user.has_perm("evaluations.view_scorecard"):
        items.append(("考核", reverse("evaluations:list"), "evaluations"))
    if user.has_perm("orgs.add_org"):
        items.append(("数据导入", reverse("imports:list"), "imports"))
    if user.has_perm("accounts.view_user"):
        items.append(("用户与授权", reverse("accounts:user_list"), "users"))
    if user.has_perm("auditlog.view_logentry"):
        items.append(("操作审计", reverse("accounts:audit_log"), "audit"))
    items.append(("后台任务", reverse("core:job_list"), "jobs"))
    items.append(("接口文档", reverse("api-docs"), "api"))
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"nav_items": items, "unread_notifications": unread}
