from datetime import date

from changai.worklists import services


def plan_with_item(cast, *, cadence=("monthly",), year=2024, lead=None, user=None, **item_fields):
    user = user or cast.users["jiangyin"]
    plan_fields = {k: item_fields.pop(k) for k in ("checkpoint_due_days", "notice_reply_days") if k in item_fields}
    plan = services.create_plan(
        user, cast.jiangyin, year=year, title="产改重点项目清单", cadence=cadence, **plan_fields
    )
    fields = {
        "number": "1",
        "title": "推进技能等级认定",
        "pillar": "quality",
        "lead_unit": lead or cast.hrss,
        "target": "新增高级工以上200人",
        "starts_on": date(year, 1, 1),
        "deadline": date(year, 12, 31),
    }
    fields.update(item_fields)
    return plan, services.add_item(user, plan, **fields)
