import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from changai.accounts import services
from changai.accounts.models import LoginEvent, User
from changai.accounts.roles import Role
from changai.orgs import services as org_services


def login(client, username, password, ip="10.1.2.3"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_logs_in_and_records_the_ip(cast, client):
    response = login(client, "jiangyin", cast.password)
    assert response.status_code == 302
    event = LoginEvent.objects.get(kind=LoginEvent.Kind.LOGIN)
    assert event.username == "jiangyin" and event.ip == "10.1.2.3"


def test_failures_and_logout_are_logged(cast, client):
    login(client, "jiangyin", "wrong")
    login(client, "jiangyin", cast.password)
    client.post(reverse("accounts:logout"))
    kinds = list(LoginEvent.objects.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["failure", "login", "logout"]


def test_five_failures_lock_the_account_even_with_the_right_password(cast, client):
    for _ in range(5):
        response = login(client, "jiangyin", "wrong-password")
    response = login(client, "jiangyin", cast.password)
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_lasts_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME * 60 == 15


def test_the_session_expires_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "lowercase123", "ALLUPPER123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Reform#2026x", "gongren2026!", "CHANGAI-2026"])
def test_passwords_with_three_character_classes_pass(password):
    validate_password(password)


def test_an_initial_password_must_be_changed_before_anything_else(cast, client):
    user = services.create_user(
        cast.users["jiangyin"],
        username="newbie",
        full_name="新用户",
        password="Initial#2026",
        org=cast.zhutang,
        role=Role.TOWN,
    )
    assert user.must_change_password
    client.force_login(user)
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Initial#2026",
            "new_password1": "Changed#2026",
            "new_password2": "Changed#2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("orgs:tree")).status_code == 200
    assert not User.objects.get(pk=user.pk).must_change_password


def test_password_change_refuses_a_weak_password(cast, client):
    client.force_login(cast.users["zhutang"])
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": cast.password,
            "new_password1": "abcdefgh",
            "new_password2": "abcdefgh",
        },
    )
    assert response.status_code == 200 and "至少三类" in response.content.decode()


def test_a_county_cannot_grant_provincial_roles_or_reach_outside(cast):
    with pytest.raises(PermissionDenied):
        services.create_user(
            cast.users["jiangyin"],
            username="x1",
            full_name="x",
            password="Initial#2026",
            org=cast.jiangyin,
            role=Role.PROVINCE_OFFICE,
        )
    with pytest.raises(PermissionDenied):
        services.create_user(
            cast.users["jiangyin"],
            username="x2",
            full_name="x",
            password="Initial#2026",
            org=cast.tangzhuang,
            role=Role.TOWN,
        )
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


def test_duplicate_username_is_refused(cast):
    with pytest.raises(ValidationError):
        services.create_user(
            cast.users["sheng"],
            username="JiangYin",
            full_name="x",
            password="Initial#2026",
            org=cast.jiangyin,
            role=Role.TOWN,
        )


def test_the_audit_trail_keeps_before_and_after_and_is_scoped(cast, client):
    client.force_login(cast.users["zhutang"])
    org_services.update_org(cast.users["zhutang"], cast.jiangyin_firm, headcount=456)
    entry = LogEntry.objects.get_for_object(cast.jiangyin_firm).filter(action=LogEntry.Action.UPDATE).first()
    assert entry.changes_dict["headcount"] == ["120", "456"]
    client.force_login(cast.users["jiangyin"])
    page = client.get(reverse("accounts:audit_log")).content.decode()
    assert "江阴测试机械有限公司" in page and "高邮秘密液压有限公司" not in page
    client.force_login(cast.users["gaoyou"])
    page = client.get(reverse("accounts:audit_log")).content.decode()
    assert "江阴测试机械有限公司" not in page


def test_audit_page_needs_the_permission(cast, client):
    client.force_login(cast.users["lingdao"])
    assert client.get(reverse("accounts:audit_log")).status_code == 403


def test_views_create_user_and_end_membership(cast, client):
    client.force_login(cast.users["jiangyin"])
    response = client.post(
        reverse("accounts:user_create", kwargs={"org_pk": cast.zhutang.pk}),
        {
            "username": "zt2",
            "full_name": "祝塘二号",
            "role": Role.TOWN,
            "password": "Initial#2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="zt2")
    membership = user.memberships.get()
    client.post(reverse("accounts:membership_end", kwargs={"membership_pk": membership.pk}))
    assert not user.memberships.active().exists()
