from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changai.core.models import Notification
from changai.suggestions import services
from changai.suggestions.models import Suggestion, SuggestionCategory
from changai.suggestions.permissions import can_review

from .factories import box, category, from_form, from_phone


def actions(suggestion):
    return [event.action for event in suggestion.events.all()]


def test_the_categories_are_seeded(db):
    names = list(SuggestionCategory.objects.values_list("name", flat=True))
    assert names == ["技能提升", "工资待遇", "安全生产", "技术革新", "民主管理", "服务保障", "其他"]


def test_each_enterprise_gets_one_box_with_an_unguessable_link(cast):
    first = box(cast)
    assert box(cast) == first and len(first.token) >= 24
    assert box(cast, org=cast.line_firm, user="zhutang").token != first.token
    with pytest.raises(PermissionDenied):
        box(cast, org=cast.gaoyou_firm, user="jiangyin")
    with pytest.raises(PermissionDenied):
        box(cast, user="lingdao")


def test_the_union_records_a_suggestion_and_its_users_are_told(cast):
    from_phone(box(cast))
    assert Notification.objects.get(user=cast.users["qiye"]).title.startswith("收到职工建议")
    suggestion = from_form(cast)
    assert suggestion.channel == "form" and suggestion.submitter == cast.users["qiye"]
    assert actions(suggestion) == ["submitted"]
    with pytest.raises(PermissionDenied):
        from_form(cast, user="jiangyin", org=cast.gaoyou_firm)
    with pytest.raises(PermissionDenied):
        from_form(cast, user="lingdao")
    with pytest.raises(ValidationError):
        from_form(cast, user="zhutang", org=cast.zhutang)  # suggestions go to an enterprise
    inactive = category("other")
    inactive.is_active = False
    inactive.save()
    with pytest.raises(ValidationError, match="有效的建议类别"):
        from_form(cast, category=inactive)


def test_adopting_with_a_reward_then_following_the_implementation(cast):
    suggestion = from_form(cast)
    union = cast.users["qiye"]
    suggestion = services.adopt_suggestion(union, suggestion, reward="500", comment="切实可行")
    assert (suggestion.status, suggestion.reward, suggestion.implementation) == (
        "adopted",
        Decimal("500.00"),
        "not_started",
    )
    assert suggestion.decided_by == union and suggestion.decided_at is not None
    suggestion = services.set_implementation(union, suggestion, status="in_progress", comment="已立项")
    suggestion = services.set_implementation(cast.users["jiangyin"], suggestion, status="done")
    suggestion = services.set_reward(union, suggestion, amount=800)
    assert (suggestion.implementation, suggestion.reward) == ("done", Decimal("800.00"))
    assert actions(suggestion) == ["submitted", "adopted", "implementation", "implementation", "rewarded"]
    assert suggestion.events.get(action="adopted").comment == "奖励500.00元；切实可行"
    with pytest.raises(ValidationError, match="实施情况已是"):
        services.set_implementation(union, suggestion, status="done")
    with pytest.raises(ValidationError, match="该建议当前为“已采纳”，不能再处理"):
        services.decline_suggestion(union, suggestion, reason="x")


def test_declining_needs_a_reason_and_is_final(cast):
    suggestion = from_form(cast, user="jiangyin")
    union = cast.users["qiye"]
    with pytest.raises(ValidationError, match="不予采纳须填写理由"):
        services.decline_suggestion(union, suggestion, reason="  ")
    suggestion = services.decline_suggestion(union, suggestion, reason="已有同类措施")
    assert (suggestion.status, suggestion.decision_reason) == ("declined", "已有同类措施")
    note = Notification.objects.get(user=cast.users["jiangyin"], title__startswith="您的建议未被采纳")
    assert note.body == "已有同类措施"
    with pytest.raises(ValidationError, match="不能再采纳"):
        services.adopt_suggestion(union, suggestion)
    with pytest.raises(ValidationError, match="只有已采纳的建议才能确定奖励"):
        services.set_reward(union, suggestion, amount=100)
    with pytest.raises(ValidationError, match="只有已采纳的建议才能更新实施情况"):
        services.set_implementation(union, suggestion, status="done")


def test_rewards_are_zero_or_more_yuan(cast):
    suggestion = from_form(cast)
    union = cast.users["qiye"]
    with pytest.raises(ValidationError, match="奖励金额不能为负数"):
        services.adopt_suggestion(union, suggestion, reward=-1)
    with pytest.raises(ValidationError, match="奖励金额须是数字"):
        services.adopt_suggestion(union, suggestion, reward="五百")
    assert Suggestion.objects.get().status == "pending"
    suggestion = services.adopt_suggestion(union, suggestion, reward=0)
    assert suggestion.reward == Decimal("0.00")
    with pytest.raises(ValidationError, match="请填写奖励金额"):
        services.set_reward(union, suggestion, amount="")


def test_only_the_union_and_the_offices_above_review(cast):
    suggestion = from_phone(box(cast))
    for outsider in ("gaoyou", "lingdao", "renshe"):
        with pytest.raises(PermissionDenied):
            services.adopt_suggestion(cast.users[outsider], suggestion)
    assert all(can_review(cast.users[reviewer], suggestion) for reviewer in ("qiye", "zhutang", "jiangyin", "sheng"))
    services.perform(cast.users["zhutang"], suggestion, "adopt", reward=None)
    assert Suggestion.objects.get().status == "adopted"
    with pytest.raises(ValidationError, match="未知的操作"):
        services.perform(cast.users["zhutang"], suggestion, "delete")


def test_suggestions_are_scoped_to_the_enterprise_and_the_offices_above(cast):
    mine = from_form(cast)
    theirs = from_phone(box(cast, org=cast.gaoyou_firm, user="gaoyou"))

    def visible(user):
        return set(Suggestion.objects.visible_to(cast.users[user]).values_list("pk", flat=True))

    assert visible("qiye") == visible("jiangyin") == {mine.pk}
    assert visible("gaoyou") == {theirs.pk}
    assert visible("sheng") == {mine.pk, theirs.pk}
    assert visible("renshe") == set()
