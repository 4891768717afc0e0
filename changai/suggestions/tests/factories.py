"""Suggestions built through the services, so the checks, notifications and timeline are exercised."""

from changai.suggestions import services
from changai.suggestions.models import SuggestionCategory

PHONE = "13812345678"


def category(code="skills"):
    return SuggestionCategory.objects.get(code=code)


def from_phone(box, **extra):
    fields = {
        "title": "建立班组技能比武常态机制",
        "content": "每季度组织一次班组技能比武，成绩与技能等级晋升挂钩。",
        "category": category(),
        "contact_name": "王师傅",
        "contact_phone": PHONE,
    }
    fields.update(extra)
    return services.submit_by_phone(box, **fields)


def from_form(cast, user="qiye", org=None, **extra):
    fields = {
        "title": "车间增设职工休息室",
        "content": "夜班职工较多，建议在二号车间增设休息室。",
        "category": category("services"),
        "contact_name": "李工",
        "contact_phone": "0510-86123456",
    }
    fields.update(extra)
    return services.create_suggestion(cast.users[user], org or cast.jiangyin_firm, **fields)


def box(cast, org=None, user="qiye"):
    return services.ensure_box(cast.users[user], org or cast.jiangyin_firm)
