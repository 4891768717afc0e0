"""Demo users, one per role, documented in README.md."""

from changai.orgs.models import Kind, Org

from .models import Membership, User
from .roles import Role

DEMO_PASSWORD = "Changai@2026"

# username, full name, org code or name, role
DEMO_USERS = [
    ("admin", "系统管理员", "320000", Role.ADMIN),
    ("sheng", "省产改办 王明", "320000", Role.PROVINCE_OFFICE),
    ("wuxi", "无锡市产改办 李华", "320200", Role.LOCAL_OFFICE),
    ("jiangyin", "江阴市产改办 张强", "320281", Role.LOCAL_OFFICE),
    ("gaoyou", "高邮市产改办 陈静", "321084", Role.LOCAL_OFFICE),
    ("zhutang", "祝塘镇产改办 刘洋", "320281112", Role.TOWN),
    ("qiye", "企业工会主席 赵磊", "enterprise-in-320281112", Role.ENTERPRISE_UNION),
    ("renshe", "省人社厅联络员 孙丽", "MU-320000-human_resources", Role.MEMBER_UNIT),
    ("jyrenshe", "江阴市人社局联络员 吴敏", "MU-320281-human_resources", Role.MEMBER_UNIT),
    ("shengqi", "省部属企事业工会 周勇", "IL-320000-01", Role.INDUSTRY_LINE),
    ("lingdao", "省领导", "320000", Role.LEADER),
]


def _org(reference: str) -> Org:
    if reference.startswith("enterprise-in-"):
        town = Org.objects.get(code=reference.removeprefix("enterprise-in-"))
        return (
            Org.objects.filter(path__startswith=town.path, kind=Kind.ENTERPRISE, has_union=True)
            .order_by("path")
            .first()
        )
    return Org.objects.get(code=reference)


def demo_admin() -> User:
    """The demo administrator, created first: the demo's imports run in its name."""
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"full_name": "系统管理员", "is_superuser": True, "is_staff": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.must_change_password = False
        admin.save()
        Membership.objects.create(user=admin, org=Org.objects.get(code="320000"), role=Role.ADMIN)
    return admin


def load_demo_users() -> list[tuple[str, str, str]]:
    rows = []
    for username, full_name, reference, role in DEMO_USERS:
        org = _org(reference)
        user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.must_change_password = False
            user.is_superuser = user.is_staff = username == "admin"
            user.save()
        if not Membership.objects.filter(user=user, org=org, role=role).exists():
            Membership.objects.create(user=user, org=org, role=role)
        rows.append((username, Role(role).label, org.name))
    return rows
