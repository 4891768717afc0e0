"""Demand records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date

from django.core.files.base import ContentFile

from changai.demands.models import Assignment, Callback, Category, Demand, DemandBox, DemandEvent, DemandFile


def demand_secrets(secret) -> tuple[dict, list]:
    org = secret.org
    demand = Demand.objects.create(
        number=f"SQSECRET{org.pk}",
        org=org,
        title=f"{secret.name}秘密诉求",
        content="秘密内容",
        category=Category.objects.order_by("pk").first(),
        raised_by=secret.user,
        contact="13900000000",
        status=Demand.Status.ROUTED,
    )
    DemandEvent.objects.create(demand=demand, kind="raised", text=f"{secret.name}提出", actor=secret.user)
    # Routed to the secret org's own town: never to a unit of an actor of the walk.
    Assignment.objects.create(
        demand=demand,
        unit=org.parent_org,
        role=Assignment.Role.LEAD,
        ack_due=date(2026, 1, 5),
        answer_due=date(2026, 1, 19),
        extension_until=date(2026, 2, 1),
        extension_reason="秘密延期",
    )
    Callback.objects.create(demand=demand, visited_on=date(2026, 2, 2), satisfied=True, note="秘密回访")
    DemandBox.objects.create(org=org)
    # The phone page opens to whoever holds the box's token; an outsider can only guess one.
    demand.follow_token = f"real-follow-token-{org.pk}"
    demand.save(update_fields=["follow_token"])
    secret_file = DemandFile.objects.create(
        demand=demand, file=ContentFile(b"%PDF-1.4 secret", name="secret.pdf"), name=f"{secret.name}秘密附件.pdf"
    )
    values = {
        "demandfile_pk": secret_file.pk,
        "category_pk": demand.category_id,
        "demand_pk": demand.pk,
        "token": "guessed-token-of-an-outsider",
        "follow_token": "guessed-follow-token",
    }
    return values, [demand]
