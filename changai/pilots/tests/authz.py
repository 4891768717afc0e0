"""Pilot records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date

from changai.pilots.models import Pairing, PilotEvent, PilotProject, PilotType, PilotUnit


def pilot_secrets(org) -> tuple[dict, list]:
    pilot_type = PilotType.objects.order_by("pk").first()
    pilot = PilotUnit.objects.create(
        org=org,
        level="county",
        pilot_type=pilot_type,
        batch="秘密批次",
        period_start=date(2025, 1, 1),
        period_end=date(2026, 12, 31),
        status=PilotUnit.Status.RUNNING,
        approved_on=date(2025, 3, 1),
    )
    PilotEvent.objects.create(pilot=pilot, action="applied", to_status="application", on=date(2025, 1, 1))
    project = PilotProject.objects.create(
        pilot=pilot,
        title="秘密项目",
        pillar="quality",
        target="x",
        start_date=date(2025, 3, 1),
        deadline=date(2026, 6, 30),
    )
    pairing = Pairing.objects.create(
        title="秘密结对", lead_org=org, pilot=pilot, signed_on=date(2025, 5, 1), content="x"
    )
    pairing.partners.set([org.parent_org])
    values = {"pilot_pk": pilot.pk, "project_pk": project.pk, "pairing_pk": pairing.pk, "type_pk": pilot_type.pk}
    return values, [pilot, project, pairing]
