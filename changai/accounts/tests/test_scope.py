from changai.accounts.scope import scope_for
from changai.orgs.models import Org


def names(user):
    return set(Org.objects.visible_to(user).values_list("name", flat=True))


def test_it_shows_a_county_its_subtree_only(cast):
    visible = names(cast.users["jiangyin"])
    assert {"江阴市", "祝塘镇", "江阴测试机械有限公司"} <= visible
    assert "高邮秘密液压有限公司" not in visible and "江苏省" not in visible


def test_it_shows_the_province_everything(cast):
    assert Org.objects.visible_to(cast.users["sheng"]).count() == Org.objects.count()


def test_member_unit_sees_only_itself(cast):
    assert names(cast.users["renshe"]) == {"省人力资源社会保障厅"}


def test_industry_line_sees_its_current_members_beside_the_territorial_line(cast):
    visible = names(cast.users["shengqi"])
    assert visible == {"省部属企事业工会", "江阴交控养护有限公司"}
    assert "江阴交控养护有限公司" in names(cast.users["jiangyin"])


def test_ended_line_membership_removes_the_enterprise_from_the_line(cast):
    from datetime import timedelta

    from django.utils import timezone

    membership = cast.line.line_members.get()
    membership.valid_to = timezone.localdate() - timedelta(days=1)
    membership.save()
    assert names(cast.users["shengqi"]) == {"省部属企事业工会"}


def test_ended_membership_takes_scope_and_permissions_away(cast):
    from changai.accounts import services

    user = cast.users["gaoyou"]
    services.end_membership(cast.users["sheng"], user.memberships.get())
    user = type(user).objects.get(pk=user.pk)
    assert not scope_for(user).paths
    assert not user.has_perm("orgs.view_org")


def test_anonymous_sees_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not Org.objects.visible_to(AnonymousUser()).exists()
