"""Narrative records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from django.core.files.base import ContentFile

from changai.indicators.models import DataValue, Indicator
from changai.narratives.models import FactProposal, NarrativeReport


def secrets(secret) -> tuple[dict, list]:
    org, name = secret.org, secret.name
    text = f"{name}今年以来举办培训班12期。"
    report = NarrativeReport.objects.create(
        org=org,
        period="2026",
        title=f"{name}秘密材料",
        file=ContentFile(text.encode(), name="secret.txt"),
        filename=f"{name}秘密材料.txt",
        file_type="txt",
        text=text,
        author=name,
        uploaded_by=secret.user,
    )
    start = text.index("12期")
    indicator, _ = Indicator.objects.get_or_create(
        code="secret_narrative_count", defaults={"name": "秘密材料指标", "unit": "期", "pillar": "quality"}
    )
    value = DataValue.objects.create(
        indicator=indicator, org=org, period="2026", value=12, provenance=f"材料识数：{name}秘密材料"
    )
    fact = FactProposal.objects.create(
        report=report,
        position=1,
        start=start,
        end=start + 3,
        quote_start=0,
        quote_end=len(text) - 1,
        quote=text[:-1],
        value=12,
        unit="期",
        subject=name,
        status=FactProposal.Status.ACCEPTED,
        indicator=indicator,
        org=org,
        period="2026",
        accepted_value=12,
        data_value=value,
        created_value=True,
    )
    return {"report_pk": report.pk, "fact_pk": fact.pk, "datavalue_pk": value.pk}, [report, fact]
