"""Pilots built through the services, so the timeline and the checks are exercised."""

from datetime import date

from changai.orgs.models import PilotLevel
from changai.pilots import services
from changai.pilots.models import PilotType

APPLIED = date(2025, 1, 10)
START = date(2025, 1, 1)
END = date(2026, 12, 31)


def apply(cast, org=None, level=PilotLevel.COUNTY, user="zhutang", **extra):
    """An application made through the service, as a town office would."""
    fields = {
        "level": level,
        "pilot_type": PilotType.objects.get(code=extra.pop("type_code", "party_led")),
        "period_start": START,
        "period_end": END,
        "batch": "2025年第一批",
        "on": APPLIED,
    }
    fields.update(extra)
    return services.apply_pilot(cast.users[user], org or cast.jiangyin_firm, **fields)


def running(cast, org=None, level=PilotLevel.COUNTY, reviewer="jiangyin", **extra):
    """A pilot taken through review and approval to running, by the right people."""
    pilot = apply(cast, org, level, **extra)
    office = cast.users[reviewer]
    pilot = services.start_review(office, pilot, on=date(2025, 2, 1))
    pilot = services.approve_pilot(office, pilot, approval_no="澄产改〔2025〕3号", on=date(2025, 3, 1))
    return services.start_running(office, pilot, on=date(2025, 3, 15))
