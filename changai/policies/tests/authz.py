"""Policy records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from changai.policies.models import Policy, PolicyAttachment, PolicyEvent, Receipt


def policy_secrets(org, name: str) -> tuple[dict, list]:
    policy = Policy.objects.create(
        title=f"{name}政策",
        issuer=org,
        doc_number="秘〔2026〕1号",
        body=f"{name}政策内容",
        effective_from=date(2026, 1, 1),
        status=Policy.Status.PUBLISHED,
        published_at=timezone.now(),
        target_kinds=["enterprise"],
    )
    PolicyEvent.objects.create(policy=policy, action="published", comment=name)
    Receipt.objects.create(policy=policy, org=org)
    attachment = PolicyAttachment.objects.create(
        policy=policy, file=ContentFile(f"%PDF-1.4 {name}".encode(), name="secret.pdf"), name=f"{name}.pdf", size=12
    )
    return {"policy_pk": policy.pk, "attachment_pk": attachment.pk}, [policy]
