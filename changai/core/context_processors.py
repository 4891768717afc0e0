from django.urls import reverse

from .models import Notification

# (group label, [(label, url name, active key, permission or None)]); a group with one visible entry is a link.
MENU = [
    ("首页", [("首页", "home", "home", None)]),
    (
        "数据",
        [
            ("数据看板", "dashboards:home", "dashboard", "indicators.view_indicator"),
            ("指标查询", "dashboards:explorer", "explorer", "indicators.view_indicator"),
            ("数据填报", "figures:tasks", "figures", "indicators.view_submission"),
            ("材料识数", "narratives:list", "narratives", "narratives.view_narrativereport"),
            ("指标目录", "figures:indicator_list", "catalogue", "indicators.view_indicator"),
            ("数据导入", "imports:list", "imports", "orgs.add_org"),
        ],
    ),
    (
        "工作推进",
        [
            ("工作清单", "worklists:plan_list", "worklists", "worklists.view_planitem"),
            ("诉求直达", "demands:list", "demands", "demands.view_demand"),
            ("督查与品牌", "supervision:spotcheck_list", "supervision", "supervision.view_spotcheck"),
            ("试点示范", "pilots:list", "pilots", "pilots.view_pilotunit"),
            ("考核", "evaluations:list", "evaluations", "evaluations.view_scorecard"),
            ("政策直达", "policies:list", "policies", "policies.view_policy"),
            ("献一策", "suggestions:list", "suggestions", "suggestions.view_suggestion"),
            ("专报", "bulletins:list", "bulletins", "bulletins.view_issue"),
        ],
    ),
    (
        "赋能成长",
        [
            ("职工名册", "workers:list", "workers", "workers.view_worker"),
            ("技能等级证书", "certificates:list", "certificates", "certificates.view_certificate"),
            ("技能津贴", "allowances:roster_list", "allowances", "allowances.view_roster"),
            ("培训与学历提升", "training:classes", "training", "training.view_trainingclass"),
            ("职业发展", "careers:moves", "careers", "careers.view_careermove"),
        ],
    ),
    ("组织机构", [("组织机构", "orgs:tree", "orgs", "orgs.view_org")]),
    (
        "系统",
        [
            ("用户与授权", "accounts:user_list", "users", "accounts.view_user"),
            ("操作审计", "accounts:audit_log", "audit", "auditlog.view_logentry"),
            ("后台任务", "core:job_list", "jobs", None),
            ("接口文档", "api-docs", "api", None),
        ],
    ),
]


def _url(user, name):
    if name == "worklists:plan_list":
        # Units that only report land on their own tasks; offices and readers on the plans.
        if user.has_perm("worklists.add_progress") and not user.has_perm("worklists.change_plan"):
            return reverse("worklists:my_tasks")
    return reverse(name)


def navigation(request):
    """Menu entries the current user may use, grouped; nothing is shown that does not exist."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_groups": []}
    groups = []
    for label, entries in MENU:
        visible = [
            (text, _url(user, name), key) for text, name, key, perm in entries if perm is None or user.has_perm(perm)
        ]
        if visible:
            groups.append({"label": label, "entries": visible, "keys": [key for _, _, key in visible]})
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"nav_groups": groups, "unread_notifications": unread}
